import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

/**
 * The only bridge between the sandboxed renderer and the main process: one invoke channel for the
 * typed contract and one event channel. The main process validates everything that arrives.
 */
contextBridge.exposeInMainWorld('serApi', {
  invoke: async (method: string, params: unknown) => {
    const reply = (await ipcRenderer.invoke('ser:api', { method, params })) as { result?: unknown; error?: { message: string } };
    if (reply.error) throw new Error(reply.error.message);
    return reply.result;
  },
  onEvent: (listener: (event: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on('ser:event', wrapped);
    return () => ipcRenderer.removeListener('ser:event', wrapped);
  },
});
