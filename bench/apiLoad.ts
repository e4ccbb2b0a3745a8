// The browser-mode API under load and abuse (issue 18), against a real `ser start --browser` server process on
// 127.0.0.1 with a temp DB: app.info latency idle and while a training run streams events to many well-behaved
// clients, malformed and oversized messages pour in and slow clients never read; the server's RSS, what became of
// the slow clients, the training run's epoch times and whether its results equal an undisturbed run's.
// Usage: npm run bench -- apiLoad [--json] [--clients 20] [--malformed 10000] [--big 3] [--slow 1500] [--epochs 8] [--actors 2]
//   tests/integration/apiAbuse.test.ts runs the same measurement at a smaller scale and asserts on it.
import { createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect, type Socket } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import WebSocket from 'ws';
import type { ApiEvent, WireResponse } from '../src-shared/api/contract';
import { importDataset } from '../src-main/core/datasets/import';
import { openStore } from '../src-main/core/store/db';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.SER_SHARED_DIR ?? resolve(ROOT, '..', 'shared');
const RAVDESS_16K = join(SHARED, 'data', 'ravdess-16k');

export interface AbuseOptions {
  /** Well-behaved clients issuing real requests during the abused run. */
  clients: number;
  /** Requests each well-behaved client issues at most (it also stops when the run ends). */
  requestsPerClient: number;
  /** Malformed or oversized messages in all (the 50 MB ones included). */
  malformed: number;
  /** Connections the malformed messages are spread over. */
  abusers: number;
  /** 50 MB messages among them (invalid JSON, a 50 MB string of the wrong field, a binary frame). */
  big: number;
  /** Requests with large answers a slow client pipelines without ever reading. */
  slowRequests: number;
  /** Sequential app.info calls of the idle measurement. */
  idleCalls: number;
  /** RAVDESS actors imported (the run tests on the last one). */
  actors: number;
  epochs: number;
  /** A one-epoch run first, so both measured runs read cached features (epoch times comparable). */
  warmup: boolean;
  log?: (message: string) => void;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface AbuseReport {
  idle: Latency;
  loaded: Latency;
  /** Well-behaved requests answered during the abused run, and those answered wrongly or not at all. */
  wellFormed: { sent: number; correct: number; wrong: string[] };
  malformed: {
    sent: number;
    /** Error answers received; a message that closed its connection by design (oversized, bad UTF-8) gets none. */
    errorReplies: number;
    /** Answers with a result: a malformed message that did something. */
    results: number;
    closeCodes: Record<string, number>;
    seconds: number;
    perSecond: number;
  };
  /** Server process RSS in MB (VmRSS; peak from VmHWM and 50 ms samples during the abuse). */
  rss: { before: number; peak: number; after: number };
  /** Server process CPU seconds during the abused run (the training worker is another process). */
  serverCpuSeconds: number;
  slowClients: {
    /** What the server printed about dropping clients. */
    dropped: string[];
    /** Bytes the paused WebSocket client could still read after being resumed (its backlog, bounded if dropped). */
    pausedBacklogBytes: number;
    pausedClosed: boolean;
    pausedCloseCode: number | null;
    rawClosed: boolean;
  };
  run: {
    /** Epochs stored, the worker's seconds per epoch, the stored metrics, and the epoch events the client saw. */
    baseline: { epochs: number; epochSeconds: number[]; metrics: Record<string, number>[]; status: string; epochEvents: number };
    abused: { epochs: number; epochSeconds: number[]; metrics: Record<string, number>[]; status: string; epochEvents: number };
    sameResults: boolean;
  };
  /** Table → row count and hash, outside the abused run's rows, before and after. */
  store: { before: Record<string, string>; after: Record<string, string>; unchanged: boolean };
  /** Whether a `__proto__` key in a message reached the store as a setting. */
  prototypePolluted: boolean;
  serverAlive: boolean;
  machine: { cores: number; loadavg: number[] };
}

export const DEFAULTS: AbuseOptions = {
  clients: 20,
  requestsPerClient: 100_000,
  malformed: 10_000,
  abusers: 4,
  big: 3,
  slowRequests: 1500,
  idleCalls: 2000,
  actors: 2,
  epochs: 8,
  warmup: true,
};

const TSX = createRequire(import.meta.url).resolve('tsx');
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function summarise(ms: number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? NaN) };
}

/** kB fields of /proc/<pid>/status as bytes. */
/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function procStatus(pid: number): { rss: number; hwm: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** A WebSocket client with request/answer matching by id and the event stream. */
class Client {
  private next = 1;
  private waiting = new Map<number, (r: WireResponse) => void>();
  readonly events: ApiEvent[] = [];
  onEvent: (e: ApiEvent) => void = () => {};
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as WireResponse;
      if ('event' in msg) {
        this.events.push(msg.event);
        this.onEvent(msg.event);
        return;
      }
      const done = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      done?.(msg);
    });
    ws.on('close', () => {
      for (const done of this.waiting.values()) done({ id: 0, error: { code: 'failed', message: 'connection closed' } });
      this.waiting.clear();
    });
  }
  static async open(url: string): Promise<Client> {
    return new Client(await openSocket(url));
  }
  call(method: string, params: unknown = {}): Promise<WireResponse> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // An all-zero mask is as valid as a random one (masking is against proxies, and there is none on loopback), and
    // ws then skips masking, so this process spends no CPU on it: the server's side of every frame is unchanged.
    const ws = new WebSocket(url, { maxPayload: 256 * 2 ** 20, generateMask: (mask: Buffer) => void mask.fill(0) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const resultOf = <T>(r: WireResponse): T => {
  if (!('result' in r)) throw new Error(`expected a result, got ${JSON.stringify(r).slice(0, 300)}`);
  return r.result as T;
};

/** The malformed message number i: wrong types, unknown methods, deep nesting, bad JSON, pollution keys… */
function malformedMessage(i: number, datasetId: number): string | Buffer {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const kinds: (() => string | Buffer)[] = [
    () => 'not json',
    () => '{"id": 1, "method": "app.info"',
    () => '',
    () => 'null',
    () => '[1, 2, 3]',
    () => '"app.info"',
    () => JSON.stringify({ method: 'datasets.list', params: {} }),
    () => JSON.stringify({ id: i, params: {} }),
    () => JSON.stringify({ id: -1, method: 'app.info' }),
    () => JSON.stringify({ id: 'x', method: 'app.info' }),
    () => JSON.stringify({ id: 1.5, method: 'app.info' }),
    () => '{"id": 1e999, "method": "app.info"}',
    () => `{"id": ${'9'.repeat(400)}, "method": "app.info"}`,
    () => JSON.stringify({ id: i, method: 'fs.delete', params: {} }),
    () => JSON.stringify({ id: i, method: '__proto__', params: {} }),
    () => JSON.stringify({ id: i, method: 'constructor', params: {} }),
    () => JSON.stringify({ id: i, method: 'hasOwnProperty', params: {} }),
    () => JSON.stringify({ id: i, method: 'x'.repeat(10_000), params: {} }),
    () => JSON.stringify({ id: i, method: 'datasets.get', params: { id: String(datasetId) } }),
    () => JSON.stringify({ id: i, method: 'datasets.get', params: [datasetId] }),
    () => JSON.stringify({ id: i, method: 'datasets.delete', params: { id: 0 } }),
    () => JSON.stringify({ id: i, method: 'datasets.delete', params: 'all' }),
    () => JSON.stringify({ id: i, method: 'runs.delete', params: { id: -5 } }),
    () => JSON.stringify({ id: i, method: 'runs.update', params: { id: '1', note: 5 } }),
    () => JSON.stringify({ id: i, method: 'settings.set', params: { key: 5, value: 'v' } }),
    () => JSON.stringify({ id: i, method: 'settings.set', params: { key: '', value: 'v' } }),
    () => `{"id": ${i}, "method": "settings.set", "params": {"__proto__": {"key": "polluted", "value": "v"}}}`,
    () => `{"id": ${i}, "method": "settings.set", "params": {"constructor": {"prototype": {"key": "polluted", "value": "v"}}}}`,
    () => `{"__proto__": {"polluted": true}, "id": ${i}, "method": "settings.get", "params": {"__proto__": {"key": "polluted"}}}`,
    () => `{"id": ${i}, "method": "datasets.get", "params": {"id": 1e400}}`,
    () => `{"id": ${i}, "method": "datasets.files", "params": {"id": ${datasetId}, "limit": 1e308}}`,
    () =>
      `{"id": ${i}, "method": "runs.start", "params": {"config": {"datasetId": 999999, "model": {"preset": "simplecnn", "params": {"__proto__": {"polluted": 1}}}}}}`,
    () => `{"id": ${i}, "method": "runs.start", "params": {"config": {"datasetId": "${datasetId}", "model": "svm"}}}`,
    () => `{"id": ${i}, "method": "runs.start", "params": {"config": {"datasetId": ${datasetId}, "model": "no-such-model"}}}`,
    () => `{"id": ${i}, "method": "datasets.import", "params": {"folder": 42, "corpus": "wav-soup"}}`,
    () => `{"id": ${i}, "method": "profiles.enrol", "params": {"name": "", "sampleRate": 16000, "samples": "AAAA"}}`,
    () => `{"id": ${i}, "method": "files.audio", "params": {"path": "/etc/passwd"}}`,
    () => randomBytes(64),
    // Deep nesting: the whole message, a params value, inside a run config (every 100th message, so it is bounded).
    () => (i % 100 === 0 ? deep(100_000) : deep(1000)),
    () => `{"id": ${i}, "method": "datasets.get", "params": {"id": ${i % 100 === 1 ? deep(100_000) : deep(1000)}}}`,
    () =>
      `{"id": ${i}, "method": "runs.start", "params": {"config": {"datasetId": 999999, "model": {"preset": "simplecnn", "params": {"x": ${i % 100 === 2 ? deep(100_000) : deep(1000)}}}}}}`,
  ];
  return kinds[i % kinds.length]();
}

/** 50 MB messages: invalid JSON, a valid frame whose 50 MB string is the wrong field, a binary frame. */
function bigMessage(i: number): string | Buffer {
  const size = 50 * 2 ** 20;
  switch (i % 3) {
    case 0:
      return `{"id": ${i}, "method": "app.info", "params": "${'A'.repeat(size)}`;
    case 1:
      return `{"id": ${i}, "method": "settings.set", "params": {"key": "big", "value": "${'A'.repeat(size)}"}}`;
    default:
      return Buffer.alloc(size, 7);
  }
}

/** Counts and hashes of every table's rows, leaving out the rows that belong to `exceptRun`. */
function snapshot(dbPath: string, exceptRun: number | null): Record<string, string> {
  const store = openStore(dbPath);
  try {
    const tables = (
      store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]
    ).map((t) => t.name);
    const out: Record<string, string> = {};
    for (const t of tables) {
      const cols = (store.db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
      const runCol = t === 'runs' ? 'id' : cols.includes('run_id') ? 'run_id' : null;
      const where = exceptRun !== null && runCol ? ` WHERE ${runCol} IS NOT ${exceptRun}` : '';
      const rows = store.db.prepare(`SELECT * FROM ${t}${where} ORDER BY rowid`).all();
      out[t] = `${rows.length} ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
    }
    return out;
  } finally {
    store.close();
  }
}

interface ServerProcess {
  child: ChildProcess;
  port: number;
  token: string;
  log: () => string;
}

async function startServer(dbPath: string, cacheDir: string): Promise<ServerProcess> {
  const token = randomBytes(18).toString('base64url');
  const child = spawn(
    process.execPath,
    ['--import', TSX, join(ROOT, 'src-main', 'cli', 'index.ts'), 'start', '--browser', '--no-open', '--db', dbPath, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SER_TOKEN: token, SER_CACHE_DIR: cacheDir },
    },
  );
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const take = (d: Buffer) => {
      log += d.toString();
      const m = /at http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${log}`)));
  });
  return { child, port, token, log: () => log };
}

/** Runs the training config to the end over `client`: the epoch events it streamed, and the final status. */
async function trainOver(client: Client, config: Record<string, unknown>): Promise<{ runId: number; status: string; epochEvents: number }> {
  const { runId, jobId } = resultOf<{ runId: number; jobId: string }>(await client.call('runs.start', { config }));
  let epochEvents = 0;
  const status = await new Promise<string>((resolve) => {
    client.onEvent = (e) => {
      if (e.type === 'run.epoch' && e.runId === runId) epochEvents++;
      if ((e.type === 'job.done' || e.type === 'job.error') && e.jobId === jobId) resolve(e.type === 'job.done' ? 'completed' : 'failed');
    };
  });
  client.onEvent = () => {};
  return { runId, status, epochEvents };
}

/** Runs the whole measurement; the server process and temp folder are gone when it returns. */
export async function measureApiUnderAbuse(options: Partial<AbuseOptions> = {}): Promise<AbuseReport> {
  const o = { ...DEFAULTS, ...options };
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'ser-api-abuse-'));
  let server: ServerProcess | null = null;
  try {
    const corpus = join(dir, 'ravdess');
    mkdirSync(corpus);
    const actors = Array.from({ length: o.actors }, (_, i) => `Actor_${String(i + 1).padStart(2, '0')}`);
    for (const a of actors) symlinkSync(join(RAVDESS_16K, a), join(corpus, a));
    const dbPath = join(dir, 'workbench.sqlite');
    const store = openStore(dbPath);
    const { datasetId } = await importDataset(store, { folder: corpus });
    store.close();
    const config = {
      datasetId,
      model: { preset: 'simplecnn', params: { filters: [4, 8, 8, 8], denseUnits: 16 } },
      split: { kind: 'speaker', testSpeakers: [String(o.actors).padStart(2, '0')], seed: 1 },
      epochs: o.epochs,
      batchSize: 20,
      earlyStopping: null,
      seed: 7,
    };

    server = await startServer(dbPath, join(dir, 'cache'));
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    const pid = server.child.pid!;
    log(`server pid ${pid} on port ${server.port}`);
    const main = await Client.open(url);

    // Idle: sequential app.info, nothing else happening.
    for (let i = 0; i < 20; i++) await main.call('app.info');
    const idleMs: number[] = [];
    for (let i = 0; i < o.idleCalls; i++) {
      const t = performance.now();
      resultOf(await main.call('app.info'));
      idleMs.push(performance.now() - t);
    }
    log(`idle app.info: ${JSON.stringify(summarise(idleMs))}`);

    // The undisturbed run (its features are then cached, as they are for the abused run).
    if (o.warmup) {
      const warm = await trainOver(main, { ...config, epochs: 1 });
      log(`warm-up run ${warm.runId}: ${warm.status}`);
    }
    const baseline = await trainOver(main, config);
    log(`baseline run ${baseline.runId}: ${baseline.status}, ${baseline.epochEvents} epoch events`);
    const baselineDetail = resultOf<{ epochsData: { metrics: Record<string, number> }[] }>(await main.call('runs.get', { id: baseline.runId }));
    const files = resultOf<{ files: { id: number }[] }>(await main.call('datasets.files', { id: datasetId, limit: 5 })).files;

    const rssBefore = procStatus(pid).rss;
    const cpuBefore = cpuSeconds(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, procStatus(pid).rss)), 50);

    // --- the abused run ---
    const storeBefore = snapshot(dbPath, null);
    let runDone = false;
    let abuseDone = false;
    const abusedRun = trainOver(main, config).then((r) => {
      runDone = true;
      return r;
    });

    // Slow clients: a WebSocket that pipelines requests with large answers and never reads, and a raw socket that
    // completes the upgrade and never reads the events streamed to it.
    const paused = await openSocket(url);
    const pausedSocket = (paused as unknown as { _socket: Socket })._socket;
    pausedSocket.pause();
    let pausedCloseCode: number | null = null;
    paused.on('close', (code) => (pausedCloseCode = code));
    paused.on('error', () => {});
    for (let i = 0; i < o.slowRequests; i++)
      paused.send(
        JSON.stringify({
          id: i + 1,
          method: i % 2 ? 'runs.get' : 'files.audio',
          params: i % 2 ? { id: baseline.runId } : { fileId: files[i % files.length].id },
        }),
      );
    const raw = netConnect(server.port, '127.0.0.1');
    let rawClosed = false;
    raw.on('close', () => (rawClosed = true));
    raw.on('error', () => {});
    raw.write(
      `GET /api?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    raw.pause();

    // Well-behaved clients: real requests, every answer checked, app.info timed.
    const loadedMs: number[] = [];
    const wrong: string[] = [];
    let sent = 0;
    let correct = 0;
    const checks: [string, () => unknown, (r: unknown) => boolean][] = [
      ['app.info', () => ({}), (r) => (r as { mode: string }).mode === 'browser'],
      ['runs.list', () => ({}), (r) => Array.isArray(r) && r.some((x: { id: number }) => x.id === baseline.runId)],
      ['datasets.list', () => ({}), (r) => Array.isArray(r) && r.some((x: { id: number }) => x.id === datasetId)],
      ['datasets.get', () => ({ id: datasetId }), (r) => (r as { id: number }).id === datasetId],
      ['settings.get', () => ({ key: 'never-set' }), (r) => (r as { value: unknown }).value === null],
      ['models.presets', () => ({}), (r) => Array.isArray(r) && r.length > 0],
      ['runs.get', () => ({ id: baseline.runId }), (r) => (r as { id: number; status: string }).id === baseline.runId],
      ['datasets.files', () => ({ id: datasetId, limit: 5 }), (r) => (r as { files: unknown[] }).files.length === 5],
    ];
    const wellBehaved = Array.from({ length: o.clients }, async (_, c) => {
      const client = await Client.open(url);
      for (let i = 0; i < o.requestsPerClient && !(runDone && abuseDone); i++) {
        const [method, params, ok] = checks[(i + c) % checks.length];
        const t = performance.now();
        const r = await client.call(method, params());
        if (method === 'app.info') loadedMs.push(performance.now() - t);
        sent++;
        if ('result' in r && ok(r.result)) correct++;
        else if (wrong.length < 20) wrong.push(`${method}: ${JSON.stringify(r).slice(0, 200)}`);
      }
      client.close();
    });

    // Malformed and oversized messages over `abusers` connections, each keeping up to 32 unanswered.
    const closeCodes: Record<string, number> = {};
    let errorReplies = 0;
    let results = 0;
    let malformedSent = 0;
    let abuserSent = 0;
    const abuseStart = performance.now();
    // The abusers' share of the malformed messages: the big ones and the 2 oversized frame headers are sent apart.
    const abuserBudget = o.malformed - o.big - 2;
    const perAbuser = Math.ceil(abuserBudget / o.abusers);
    const abuse = Array.from({ length: o.abusers }, async (_, a) => {
      let ws: WebSocket | null = null;
      let unanswered = 0;
      let wake: () => void = () => {};
      const connectAbuser = async () => {
        const s = await openSocket(url);
        s.on('message', (data) => {
          const msg = JSON.parse(data.toString()) as WireResponse;
          if ('event' in msg) return;
          if ('result' in msg) results++;
          else errorReplies++;
          unanswered--;
          wake();
        });
        s.on('close', (code) => {
          closeCodes[code] = (closeCodes[code] ?? 0) + 1;
          unanswered = 0;
          wake();
        });
        s.on('error', () => {});
        return s;
      };
      ws = await connectAbuser();
      for (let i = 0; i < perAbuser && abuserSent < abuserBudget; i++) {
        while (unanswered >= 32) await new Promise<void>((r) => (wake = r));
        if (ws.readyState !== WebSocket.OPEN) ws = await connectAbuser();
        // The abusers run side by side: another may have sent the last message while this one waited.
        if (abuserSent >= abuserBudget) break;
        const n = a * perAbuser + i;
        // One connection in 500 messages gets invalid UTF-8 in a text frame: ws closes it with 1007, and it reconnects.
        if (n % 500 === 499) {
          // Its earlier messages are answered first: the close would otherwise lose their answers.
          while (unanswered > 0 && ws.readyState === WebSocket.OPEN) await new Promise<void>((r) => (wake = r));
          if (abuserSent >= abuserBudget) break;
          ws.send(Buffer.from([0xc3, 0x28, 0xff]), { binary: false });
          malformedSent++;
          abuserSent++;
          await new Promise<void>((r) => (ws!.readyState === WebSocket.CLOSED ? r() : ws!.once('close', () => r())));
          continue;
        }
        const msg = malformedMessage(n, datasetId);
        unanswered++;
        malformedSent++;
        abuserSent++;
        ws.send(msg, { binary: Buffer.isBuffer(msg) });
      }
      while (unanswered > 0 && ws.readyState === WebSocket.OPEN) await new Promise<void>((r) => (wake = r));
      ws.close();
      log(`abuser ${a} done at ${((performance.now() - abuseStart) / 1000).toFixed(1)} s`);
    });
    // 50 MB messages, one at a time on their own connection; then a frame over maxPayload (header only: the server
    // must refuse it from the header) and a frame that claims 2^53 bytes.
    const big = (async () => {
      const client = await Client.open(url);
      for (let i = 0; i < o.big; i++) {
        const msg = bigMessage(i);
        const answered = new Promise<WireResponse>((resolve) => {
          const onMessage = (d: WebSocket.RawData) => {
            const r = JSON.parse(d.toString()) as WireResponse;
            if ('event' in r) return; // the run's events stream to this connection too
            client.ws.off('message', onMessage);
            resolve(r);
          };
          client.ws.on('message', onMessage);
        });
        client.ws.send(msg, { binary: Buffer.isBuffer(msg) });
        malformedSent++;
        const r = await answered;
        if ('result' in r) results++;
        else errorReplies++;
      }
      client.close();
      log(`50 MB messages done at ${((performance.now() - abuseStart) / 1000).toFixed(1)} s`);
      for (const length of [200 * 2 ** 20, 2 ** 53 - 1]) {
        const s = await openSocket(url);
        const code = await new Promise<number>((resolve) => {
          s.on('close', (c) => resolve(c));
          s.on('error', () => {});
          const header = Buffer.alloc(14);
          header[0] = 0x81; // FIN, text
          header[1] = 0x80 | 127; // masked, 64-bit length
          header.writeBigUInt64BE(BigInt(length), 2);
          (s as unknown as { _socket: Socket })._socket.write(Buffer.concat([header, randomBytes(4 + 1024)]));
        });
        malformedSent++;
        closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      }
    })();

    await Promise.all([...abuse, big]);
    abuseDone = true;
    const abuseSeconds = (performance.now() - abuseStart) / 1000;
    const serverCpu = cpuSeconds(pid) - cpuBefore;
    log(`malformed: ${malformedSent} in ${abuseSeconds.toFixed(1)} s`);
    await Promise.all(wellBehaved);
    const abused = await abusedRun;
    log(`abused run ${abused.runId}: ${abused.status}, ${abused.epochEvents} epoch events`);

    // The paused client stays unread until the server has had the time its rule gives it (stopped being read at
    // 16 MiB queued, dropped after CLIENT_BACKLOG_GRACE_MS there, checked each second) and more: a short run and
    // quick abuse would otherwise resume it before the rule could act, and measure nothing.
    for (let waited = 0; pausedCloseCode === null && !/Dropped/.test(server.log()) && waited < 20_000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
    }
    // What the slow clients got: resume the paused one and count what it can still read.
    let pausedBacklogBytes = 0;
    pausedSocket.on('data', (d: Buffer) => (pausedBacklogBytes += d.length));
    pausedSocket.resume();
    // Until nothing more arrives for half a second (at most 20 s): all that was queued for it.
    for (let seen = -1, waited = 0; seen !== pausedBacklogBytes && waited < 20_000; waited += 500) {
      seen = pausedBacklogBytes;
      await new Promise((r) => setTimeout(r, 500));
    }
    paused.terminate();
    raw.destroy();
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 2000));
    const after = procStatus(pid);
    peak = Math.max(peak, after.hwm);

    const prototypePolluted = resultOf<{ value: string | null }>(await main.call('settings.get', { key: 'polluted' })).value !== null;
    const abusedDetail = resultOf<{ epochsData: { metrics: Record<string, number> }[]; status: string }>(
      await main.call('runs.get', { id: abused.runId }),
    );
    const serverAlive = 'result' in (await main.call('app.info'));
    main.close();
    const storeAfter = snapshot(dbPath, abused.runId);
    const epochSeconds = (m: Record<string, number>[]) => m.map((e) => Math.round(e.seconds * 1000) / 1000);
    const withoutTime = (m: Record<string, number>[]) => m.map(({ seconds: _s, ...rest }) => rest);
    const baselineMetrics = baselineDetail.epochsData.map((e) => e.metrics);
    const abusedMetrics = abusedDetail.epochsData.map((e) => e.metrics);
    const dropped = server
      .log()
      .split('\n')
      .filter((l) => /Dropped/.test(l));
    return {
      idle: summarise(idleMs),
      loaded: summarise(loadedMs),
      wellFormed: { sent, correct, wrong },
      malformed: {
        sent: malformedSent,
        errorReplies,
        results,
        closeCodes,
        seconds: Math.round(abuseSeconds * 10) / 10,
        perSecond: Math.round(malformedSent / abuseSeconds),
      },
      rss: { before: mb(rssBefore), peak: mb(peak), after: mb(after.rss) },
      serverCpuSeconds: Math.round(serverCpu * 10) / 10,
      slowClients: { dropped, pausedBacklogBytes, pausedClosed: pausedCloseCode !== null, pausedCloseCode, rawClosed },
      run: {
        baseline: {
          epochs: baselineMetrics.length,
          epochSeconds: epochSeconds(baselineMetrics),
          metrics: baselineMetrics,
          status: baseline.status,
          epochEvents: baseline.epochEvents,
        },
        abused: {
          epochs: abusedMetrics.length,
          epochSeconds: epochSeconds(abusedMetrics),
          metrics: abusedMetrics,
          status: abusedDetail.status,
          epochEvents: abused.epochEvents,
        },
        sameResults: JSON.stringify(withoutTime(abusedMetrics)) === JSON.stringify(withoutTime(baselineMetrics)),
      },
      store: { before: storeBefore, after: storeAfter, unchanged: JSON.stringify(storeBefore) === JSON.stringify(storeAfter) },
      prototypePolluted,
      serverAlive,
      machine: { cores: availableParallelism(), loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
    };
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server!.child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .option('--json', 'print one JSON object on stdout')
    .option('--clients <n>', 'well-behaved clients', String(DEFAULTS.clients))
    .option('--malformed <n>', 'malformed and oversized messages', String(DEFAULTS.malformed))
    .option('--big <n>', '50 MB messages among the malformed ones', String(DEFAULTS.big))
    .option('--slow <n>', 'requests the paused client pipelines', String(DEFAULTS.slowRequests))
    .option('--epochs <n>', 'epochs of the training run', String(DEFAULTS.epochs))
    .option('--actors <n>', 'RAVDESS actors imported', String(DEFAULTS.actors))
    .parse();
  const opts = program.opts<{ json?: boolean; clients: string; malformed: string; big: string; slow: string; epochs: string; actors: string }>();
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const report = await measureApiUnderAbuse({
    clients: Number(opts.clients),
    malformed: Number(opts.malformed),
    big: Number(opts.big),
    slowRequests: Number(opts.slow),
    epochs: Number(opts.epochs),
    actors: Number(opts.actors),
    log,
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lat = (l: Latency) => `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms (n=${l.n})`;
  const mean = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(2);
  const lines = [
    `machine: ${report.machine.cores} cores, load average ${report.machine.loadavg.join(' ')}`,
    `app.info idle:        ${lat(report.idle)}`,
    `app.info under abuse: ${lat(report.loaded)}`,
    `well-formed requests: ${report.wellFormed.correct}/${report.wellFormed.sent} answered correctly`,
    `malformed/oversized:  ${report.malformed.sent} in ${report.malformed.seconds} s (${report.malformed.perSecond}/s), ${report.malformed.errorReplies} error answers, ${report.malformed.results} results, closes ${JSON.stringify(report.malformed.closeCodes)}`,
    `server RSS:           before ${report.rss.before} MB, peak ${report.rss.peak} MB, after ${report.rss.after} MB; server CPU during the abused run ${report.serverCpuSeconds} s`,
    `slow clients:         ${report.slowClients.dropped.length ? report.slowClients.dropped.join(' | ') : 'none dropped'}; paused client's backlog ${mb(report.slowClients.pausedBacklogBytes)} MB, closed ${report.slowClients.pausedClosed} (${report.slowClients.pausedCloseCode}); raw socket closed ${report.slowClients.rawClosed}`,
    `training epoch time:  undisturbed ${mean(report.run.baseline.epochSeconds)} s, under abuse ${mean(report.run.abused.epochSeconds)} s (${report.run.abused.epochs}/${report.run.baseline.epochs} epochs, same results ${report.run.sameResults})`,
    `store unchanged outside the run: ${report.store.unchanged}; prototype polluted: ${report.prototypePolluted}; server alive: ${report.serverAlive}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
