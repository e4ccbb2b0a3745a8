// What the shared layer may use beyond the language: globals that Node (≥ 18), browsers and Electron's sandboxed
// preload all provide. Only tsconfig.shared.json reads this file; Node and the DOM bring their own, fuller types.

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: unknown): AbortSignal; timeout(ms: number): AbortSignal };

declare var performance: { now(): number };
declare function atob(data: string): string;
declare function btoa(data: string): string;
