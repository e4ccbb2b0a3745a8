/** Visible messages: every failed call ends up here, so no error is silently swallowed. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { errorMessage } from '../../src-shared/api/errors';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
}

export const useToasts = defineStore('toasts', () => {
  const items = ref<Toast[]>([]);
  let nextId = 1;

  function push(kind: Toast['kind'], message: string, ttlMs = kind === 'error' ? 0 : 5000): void {
    const id = nextId++;
    items.value.push({ id, kind, message });
    if (items.value.length > 6) items.value.shift();
    if (ttlMs > 0) setTimeout(() => dismiss(id), ttlMs);
  }
  function dismiss(id: number): void {
    items.value = items.value.filter((t) => t.id !== id);
  }
  /** Shows the error and returns undefined, so callers can write `await guard(api.call(...))`. */
  async function guard<T>(promise: Promise<T>, context?: string): Promise<T | undefined> {
    try {
      return await promise;
    } catch (err) {
      push('error', `${context ? `${context}: ` : ''}${errorMessage(err)}`);
      return undefined;
    }
  }
  return { items, push, dismiss, guard };
});
