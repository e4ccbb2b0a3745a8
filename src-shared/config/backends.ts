/** Training/inference backends, fastest first; 'auto' in a run config takes the first that works here. */
export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
