import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireRequestSchema, type ApiEvent, type WireResponse } from '../../src-shared/api/contract';
import { dispatch, type Handlers } from '../core/api/dispatch';
import { contentSecurityPolicy } from './csp';

export interface BrowserServerOptions {
  handlers: Handlers;
  /** Built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  token?: string;
  /** Called when the last WebSocket client disconnects (no page is left to stop what it started). */
  onLastClientGone?: () => void;
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
/** Large enough for a base64 recording of a few minutes; bigger frames are refused. */
const MAX_MESSAGE_BYTES = 96 * 1024 * 1024;

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
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      if (sockets.size === 0) opts.onLastClientGone?.();
    });
    ws.on('message', async (raw, isBinary) => {
      const reply = (msg: WireResponse) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg));
      if (isBinary) return reply({ id: 0, error: { code: 'invalid', message: 'Binary frames are not part of the API.' } });
      let json: unknown;
      try {
        json = JSON.parse(raw.toString());
      } catch {
        return reply({ id: 0, error: { code: 'invalid', message: 'Message is not valid JSON.' } });
      }
      const req = WireRequestSchema.safeParse(json);
      if (!req.success) return reply({ id: 0, error: { code: 'invalid', message: 'Message must be {id, method, params}.' } });
      reply(await dispatch(opts.handlers, req.data.id, req.data.method, req.data.params));
    });
  });

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
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
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
