/** App-wide state: server info, connection status. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo } from '../../src-shared/api/contract';
import { api, type ConnectionStatus } from '../api/client';
import { useToasts } from './toasts';

export const useApp = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const connection = ref<ConnectionStatus>({ state: 'connecting', detail: null });
  const toasts = useToasts();

  async function loadInfo(): Promise<void> {
    const result = await toasts.guard(api.call('app.info', {}), 'Loading app info');
    if (result) info.value = result;
  }

  api.onStatus((s) => {
    const wasClosed = connection.value.state === 'closed';
    connection.value = s;
    // Refresh after a reconnect: the server may have restarted with a different DB.
    if (s.state === 'open' && (wasClosed || !info.value)) void loadInfo();
  });

  return { info, connection, loadInfo, transport: api.transport };
});
