import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WireResponse } from '../../src-shared/api/contract';
import { createHandlers } from '../../src-main/core/api/handlers';
import { JobQueue } from '../../src-main/core/jobs';
import { openStore, type Store } from '../../src-main/core/store/db';
import { startBrowserServer, type BrowserServer } from '../../src-main/server/browserServer';
import { RAVDESS_16K } from '../helpers/shared';

let server: BrowserServer;
let store: Store;
const base = () => `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ser-server-'));
  const renderer = join(dir, 'renderer');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  store = openStore(join(dir, 'w.sqlite'));
  const jobs = new JobQueue((e) => server?.broadcast(e));
  server = await startBrowserServer({
    handlers: createHandlers({ store, jobs, mode: 'browser' }),
    rendererDir: renderer,
    port: 0,
    onLastClientGone: () => gone++,
  });
});
let gone = 0;
afterAll(async () => {
  await server.close();
  store.close();
});

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, payload: unknown): Promise<WireResponse> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as WireResponse));
    ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
}

describe('browser-mode server', () => {
  it('tells when the last client has gone (what it started, such as recording streams, has nobody to stop it)', async () => {
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    const [a, b] = [await connect(url), await connect(url)];
    const closed = (ws: WebSocket) => new Promise((resolve) => ws.once('close', resolve));
    const before = gone;
    a.close();
    await closed(a);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone).toBe(before);
    b.close();
    await closed(b);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone).toBe(before + 1);
  });

  it('binds to 127.0.0.1 only', () => {
    const addr = server.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
  });

  it('refuses HTTP requests without the session token', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
  });

  it('serves the renderer with the token, a strict CSP and a session cookie', async () => {
    const res = await fetch(`${base()}/?token=${server.token}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    const asset = await fetch(`${base()}/assets/app.js`, { headers: { cookie: cookie.split(';')[0] } });
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log(1)');
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await fetch(`${base()}/..%2Fsecret.txt?token=${server.token}`);
    expect(res.status).toBe(404);
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    await expect(connect(`ws://127.0.0.1:${server.port}/api`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${server.port}/api?token=nope`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: 'https://evil.example' })).rejects.toThrow(/401/);
  });

  it('answers malformed messages with a validation error and changes nothing', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const count = () => (store.db.prepare('SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) FROM settings) n').get() as { n: number }).n;
    const before = count();

    expect(await call(ws, 'not json')).toMatchObject({ error: { code: 'invalid' } });
    expect(await call(ws, { method: 'datasets.list' })).toMatchObject({ error: { code: 'invalid' } });
    expect(await call(ws, { id: 1, method: 'fs.delete', params: {} })).toMatchObject({ id: 1, error: { code: 'unknown_method' } });
    const bad = await call(ws, { id: 2, method: 'datasets.import', params: { folder: 42, corpus: 'wav-soup' } });
    expect(bad).toMatchObject({ id: 2, error: { code: 'invalid' } });
    if ('error' in bad) {
      expect(bad.error.issues?.join(' ')).toMatch(/folder/);
      expect(bad.error.issues?.join(' ')).toMatch(/corpus/);
    }
    expect(await call(ws, { id: 3, method: 'settings.set', params: { key: '', value: 'x' } })).toMatchObject({ id: 3, error: { code: 'invalid' } });
    expect(count()).toBe(before);

    // A well-formed request on the same socket still works.
    expect(await call(ws, { id: 4, method: 'settings.set', params: { key: 'k', value: 'v' } })).toEqual({ id: 4, result: { ok: true } });
    expect(await call(ws, { id: 5, method: 'settings.get', params: { key: 'k' } })).toEqual({ id: 5, result: { value: 'v' } });
    ws.close();
  });

  it('plays audio by path but refuses to read anything that is not audio', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const refused = await call(ws, { id: 6, method: 'files.audio', params: { path: '/etc/passwd' } });
    expect(refused).toMatchObject({ id: 6, error: { code: 'invalid', message: expect.stringMatching(/not an audio file/) } });
    const wav = join(RAVDESS_16K, 'Actor_01', '03-01-01-01-01-01-01.wav');
    const ok = await call(ws, { id: 7, method: 'files.audio', params: { path: wav } });
    expect(ok).toMatchObject({ id: 7, result: { mime: 'audio/wav' } });
    if ('result' in ok)
      expect(
        Buffer.from((ok.result as { base64: string }).base64, 'base64')
          .subarray(0, 4)
          .toString(),
      ).toBe('RIFF');
    ws.close();
  });
});
