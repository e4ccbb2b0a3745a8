// Feature-extraction worker process: decodes, extracts and caches the files the parent sends, one at a time.
import type { FeatureConfig } from '../../src-shared/config/features';
import { extractFile, failureReason, type CacheTarget } from '../core/features/extractFile';
import { ToFeatureWorkerSchema, type FromFeatureWorker } from '../core/features/workerProtocol';
import { exitWithParent } from '../core/processes';

interface ParentPort {
  send(m: FromFeatureWorker): void;
  onMessage(listener: (m: unknown) => void): void;
}

/** Electron utilityProcess exposes process.parentPort; a Node child_process uses process.send. */
function parentPort(): ParentPort {
  const pp = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (ev: { data: unknown }) => void): void } })
    .parentPort;
  if (pp) return { send: (m) => pp.postMessage(m), onMessage: (l) => pp.on('message', (ev) => l(ev.data)) };
  return { send: (m) => void process.send?.(m), onMessage: (l) => void process.on('message', l) };
}

exitWithParent();
const port = parentPort();
let setup: { config: FeatureConfig; cache: CacheTarget } | undefined;
let chain: Promise<void> = Promise.resolve();

port.onMessage((raw) => {
  const parsed = ToFeatureWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`featureWorker: ignored malformed message: ${parsed.error.message}\n`);
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'init') {
    setup = { config: msg.config, cache: { dir: msg.cacheDir, configHash: msg.configHash, speed: msg.speed } };
    port.send({ type: 'ready' });
    return;
  }
  // Serialised: the parent keeps two files in flight so this process never waits on the pipe.
  chain = chain.then(async () => {
    if (!setup) {
      port.send({ type: 'failed', fileId: msg.fileId, reason: 'worker received a file before its configuration' });
      return;
    }
    try {
      const r = await extractFile(msg, setup.config, setup.cache);
      port.send({ type: 'done', fileId: r.fileId, shape: r.shape, data: r.data, contentHash: r.contentHash, cached: r.cached });
    } catch (err) {
      port.send({ type: 'failed', fileId: msg.fileId, reason: failureReason(err) });
    }
  });
});
