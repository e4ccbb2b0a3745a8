/**
 * The error types every layer shares: an API failure as both transports carry it (code, message, field issues), the
 * one way work ends when its AbortSignal fires, and one way to turn anything thrown into words.
 */

export type ErrorCode = 'invalid' | 'not_found' | 'failed' | 'unknown_method' | 'cancelled';

/** An API failure on the wire (IPC reply or WebSocket frame). */
export interface WireError {
  code: ErrorCode;
  message: string;
  /** One "field.path: problem" per invalid field, for forms to show beside the field. */
  issues?: string[];
}

/** A failure whose message is meant for the user as is; the same class on both sides of the API. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'failed',
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromWire(error: WireError): ApiError {
    return new ApiError(error.message, error.code, error.issues ?? []);
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, ...(this.issues.length ? { issues: this.issues } : {}) };
  }
}

/** Work stopped because its AbortSignal fired (the user cancelled, or the app is closing). */
export class CancelledError extends Error {
  constructor(message = 'cancelled by the user') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Throws the signal's reason as a CancelledError (or the reason itself, when it is one) once the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof CancelledError ? signal.reason : new CancelledError(reasonText(signal.reason));
}

function reasonText(reason: unknown): string | undefined {
  if (reason instanceof Error) return reason.name === 'AbortError' ? undefined : reason.message;
  return typeof reason === 'string' ? reason : undefined;
}

/** The words of anything thrown: an Error's message, else its string form. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
