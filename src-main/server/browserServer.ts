import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WireRequestSchema, type ApiEvent, type WireResponse } from '../../src-shared/api/contract';
import { errorMessage } from '../../src-shared/api/errors';
import { dispatch, type Handlers } from '../core/api/dispatch';
import { ClientFlow } from './clientFlow';
import { contentSecurityPolicy } from './csp';

export interface BrowserServerOptions {
  handlers: Handlers;
  /** Built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  token?: string;
  /** Called when the last WebSocket client disconnects (no page is left to stop what it started). */
  onLastClientGone?: () => void;
  /** Where the server says why it dropped a client (default: stderr). */
  log?: (message: string) => void;
}

export interface BrowserServer {
  server: Server;
  port: number;
  token: string;
  url: string;
  broadcast(event: ApiEvent): void;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};
const COOKIE = 'ser_token';
/**
 * Large enough for a base64 recording of a few minutes (the contract allows 64 MiB of samples); a bigger frame is
 * refused from its header, before its payload is buffered, and the connection closed with 1009.
 */
export const MAX_MESSAGE_BYTES = 96 * 1024 * 1024;
/**
 * Open WebSocket connections: the renderer needs one per tab. More are refused (HTTP 503 at the upgrade), so a
 * client that leaks connections cannot grow the server's memory (each holds buffers) without bound.
 */
export const MAX_CONNECTIONS = 64;

/** A text frame's payload (ws hands over one Buffer, or its fragments when binaryType says so). */
function rawText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString();
  return (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString();
}

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/**
 * Browser mode: serves the built renderer and the API over WebSocket on 127.0.0.1 only.
 * Every HTTP and WebSocket request must carry the session token (query `token` or the cookie set
 * from it); anything else gets 401.
 */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();

  const authorised = (req: IncomingMessage, url: URL) => sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!authorised(req, url)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('401: this workbench session needs its token. Open the address printed by `npm start`.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(opts.rendererDir, url.pathname, res, url.searchParams.has('token'), token, server);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Also refuse cross-site pages: a browser sends their Origin, which must be this server.
    const origin = req.headers.origin;
    const port = (server.address() as AddressInfo).port;
    const originOk = !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/api' || !authorised(req, url) || !originOk) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.write('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const flows = new Map<WebSocket, ClientFlow>();

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const flow = new ClientFlow(ws, log);
    flows.set(ws, flow);
    ws.on('close', () => {
      sockets.delete(ws);
      flows.delete(ws);
      if (sockets.size === 0) opts.onLastClientGone?.();
    });
    // Frames over maxPayload, invalid UTF-8, bad opcodes: ws closes the connection with the right code (1009, 1007,
    // 1002) and reports it here; an 'error' nobody listens to would throw and take the whole server down.
    ws.on('error', () => {});
    const reply = (msg: WireResponse) => {
      let text: string;
      try {
        text = JSON.stringify(msg);
      } catch (err) {
        // A result that does not serialise (too deep, a BigInt) is that request's failure, not the server's.
        text = JSON.stringify({
          id: 'id' in msg ? msg.id : 0,
          error: { code: 'failed', message: `The answer could not be sent: ${errorMessage(err)}` },
        });
      }
      flow.send(text);
    };
    ws.on('message', (raw, isBinary) => {
      // Frames already received when the client was dropped or closed are not worked on: nobody takes the answers.
      if (!flow.open) return;
      flow.handle(() =>
        handleMessage(raw, isBinary).catch((err: unknown) => reply({ id: 0, error: { code: 'failed', message: errorMessage(err) } })),
      );
    });
    const handleMessage = async (raw: RawData, isBinary: boolean) => {
      if (isBinary) return reply({ id: 0, error: { code: 'invalid', message: 'Binary frames are not part of the API.' } });
      let json: unknown;
      try {
        // V8's JSON.parse is not recursive: deep nesting parses (and fails validation below) without a stack overflow.
        json = JSON.parse(rawText(raw));
      } catch {
        return reply({ id: 0, error: { code: 'invalid', message: 'Message is not valid JSON.' } });
      }
      const req = WireRequestSchema.safeParse(json);
      if (!req.success) return reply({ id: 0, error: { code: 'invalid', message: 'Message must be {id, method, params}.' } });
      reply(await dispatch(opts.handlers, req.data.id, req.data.method, req.data.params));
    };
  });
  wss.on('error', (err) => log(`WebSocket server error: ${errorMessage(err)}`));

  const port = opts.port ?? 5317;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    token,
    url: `http://127.0.0.1:${actual}/?token=${token}`,
    broadcast(event) {
      const text = JSON.stringify({ event } satisfies WireResponse);
      for (const flow of flows.values()) flow.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

function serveStatic(root: string, pathname: string, res: ServerResponse, setCookie: boolean, token: string, server: Server): void {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const port = (server.address() as AddressInfo).port;
  const headers: Record<string, string> = {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy(`ws://127.0.0.1:${port} ws://localhost:${port}`),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  if (setCookie) headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}
