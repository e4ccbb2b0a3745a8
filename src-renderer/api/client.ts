/**
 * The renderer's client for the typed workbench API. It picks the transport once at start:
 * Electron's preload bridge (`window.serApi`) when present, else browser mode's WebSocket.
 */
import type { ApiEvent, IpcReply, Method, Params, Results, WireResponse, WorkbenchApi } from '../../src-shared/api/contract';
import { ApiError, errorMessage } from '../../src-shared/api/errors';

/** What the Electron preload exposes through contextBridge: the main process's reply, untouched. */
export interface SerApiBridge {
  invoke(method: string, params: unknown): Promise<IpcReply>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

declare global {
  interface Window {
    serApi?: SerApiBridge;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';
export interface ConnectionStatus {
  state: ConnectionState;
  /** Why the connection is not open, in words a user can act on. */
  detail: string | null;
}

interface Transport {
  readonly kind: 'ipc' | 'websocket';
  request(method: Method, params: unknown): Promise<unknown>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

export interface WorkbenchClient extends WorkbenchApi {
  readonly transport: 'ipc' | 'websocket';
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

function messageOf(err: unknown): string {
  const raw = errorMessage(err);
  // Electron prefixes rejected invoke() errors with this boilerplate; the user needs only the cause.
  return raw.replace(/^Error invoking remote method '[^']+': (Error: )?/, '');
}

function ipcTransport(bridge: SerApiBridge): Transport {
  return {
    kind: 'ipc',
    async request(method, params) {
      let reply: IpcReply;
      try {
        reply = await bridge.invoke(method, params);
      } catch (err) {
        throw new ApiError(messageOf(err));
      }
      // One error type for both transports: the reply's code and field issues survive the bridge.
      if ('error' in reply) throw ApiError.fromWire(reply.error);
      return reply.result;
    },
    subscribe: (listener) => bridge.onEvent(listener),
    onStatus(listener) {
      listener({ state: 'open', detail: null });
      return () => {};
    },
  };
}

const TOKEN_KEY = 'ser.session-token';
/** How long a call waits for a (re)connection before it gives up, in ms. */
const QUEUE_TIMEOUT_MS = 15_000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/** Takes the session token from `?token=` (then hides it from the address bar), else from this tab's storage. */
export function takeSessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}
interface Queued extends Pending {
  id: number;
  frame: string;
  timer: ReturnType<typeof setTimeout>;
}

function socketTransport(url: string | null): Transport {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let everOpened = false;
  const inflight = new Map<number, Pending>();
  const queue: Queued[] = [];
  const eventListeners = new Set<(event: ApiEvent) => void>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  let status: ConnectionStatus = url
    ? { state: 'connecting', detail: null }
    : { state: 'closed', detail: 'No session token: open the exact address printed by `npm start` (it ends in ?token=…).' };

  const setStatus = (next: ConnectionStatus) => {
    status = next;
    for (const l of statusListeners) l(next);
  };

  const flush = () => {
    while (queue.length && ws?.readyState === WebSocket.OPEN) {
      const q = queue.shift()!;
      clearTimeout(q.timer);
      inflight.set(q.id, q);
      ws.send(q.frame);
    }
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let msg: WireResponse;
    try {
      msg = JSON.parse(data) as WireResponse;
    } catch {
      console.error('workbench server sent a non-JSON frame', data.slice(0, 200));
      return;
    }
    if ('event' in msg) {
      for (const l of eventListeners) l(msg.event);
      return;
    }
    const pending = inflight.get(msg.id);
    if (!pending) return;
    inflight.delete(msg.id);
    if ('error' in msg) pending.reject(ApiError.fromWire(msg.error));
    else pending.resolve(msg.result);
  };

  const connect = () => {
    if (!url) return;
    setStatus({ state: 'connecting', detail: attempt ? `reconnecting (attempt ${attempt + 1})…` : null });
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      attempt = 0;
      everOpened = true;
      setStatus({ state: 'open', detail: null });
      flush();
    };
    socket.onmessage = (ev) => onMessage(ev.data);
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      ws = null;
      for (const [id, p] of inflight) {
        p.reject(
          new ApiError(`Connection to the workbench server was lost while waiting for ${p.method}; it may or may not have completed. Reconnecting…`),
        );
        inflight.delete(id);
      }
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
      attempt++;
      const why = everOpened
        ? 'Connection to the workbench server lost'
        : 'Cannot reach the workbench server (is `npm start` still running, and was the page opened with its ?token=… address?)';
      setStatus({
        state: 'closed',
        detail: `${why}${ev.code && ev.code !== 1006 ? ` (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})` : ''}; retrying in ${delay / 1000} s`,
      });
      setTimeout(connect, delay);
    };
  };
  connect();

  return {
    kind: 'websocket',
    request(method, params) {
      return new Promise((resolve, reject) => {
        if (!url) {
          reject(new ApiError(status.detail ?? 'Not connected'));
          return;
        }
        const id = nextId++;
        const frame = JSON.stringify({ id, method, params });
        const timer = setTimeout(() => {
          const i = queue.findIndex((q) => q.id === id);
          if (i >= 0) queue.splice(i, 1);
          reject(new ApiError(`Not connected to the workbench server, so ${method} was not sent (${status.detail ?? 'still connecting'}).`));
        }, QUEUE_TIMEOUT_MS);
        queue.push({ id, frame, method, resolve, reject, timer });
        flush();
      });
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
  };
}

/** Builds the client over whichever transport this page runs with. */
export function createClient(): WorkbenchClient {
  let transport: Transport;
  if (window.serApi) {
    transport = ipcTransport(window.serApi);
  } else {
    const token = takeSessionToken();
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    transport = socketTransport(token ? `${scheme}://${window.location.host}/api?token=${encodeURIComponent(token)}` : null);
  }
  return {
    transport: transport.kind,
    call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      return transport.request(method, params) as Promise<Results[M]>;
    },
    onEvent: (listener) => transport.subscribe(listener),
    onStatus: (listener) => transport.onStatus(listener),
  };
}

/** The one client of this page. */
export const api: WorkbenchClient = createClient();
