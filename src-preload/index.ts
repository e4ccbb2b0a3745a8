import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { IpcReply } from '../src-shared/api/contract';

/**
 * The only bridge between the sandboxed renderer and the main process: one invoke channel for the
 * typed contract and one event channel. The main process validates everything that arrives.
 */
contextBridge.exposeInMainWorld('serApi', {
  // The reply goes back untouched ({result} or {error: {code, message, issues}}): the renderer builds the one
  // error type for both transports, so nothing of the error is lost crossing the bridge.
  invoke: (method: string, params: unknown): Promise<IpcReply> => ipcRenderer.invoke('ser:api', { method, params }),
  onEvent: (listener: (event: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on('ser:event', wrapped);
    return () => ipcRenderer.removeListener('ser:event', wrapped);
  },
});
