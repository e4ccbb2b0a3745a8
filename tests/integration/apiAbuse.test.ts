// Issue 18: the browser-mode API under load and abuse, against a real `ser start --browser` process on 127.0.0.1
// with a temp DB. While a training run streams its events, 20 clients issue real requests, 10,000 malformed or
// oversized messages arrive over several connections and slow clients never read. bench/apiLoad.ts is the same
// measurement at full scale (it prints the figures); here the scale is bounded for two shared cores.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { measureApiUnderAbuse } from '../../bench/apiLoad';
import type { Handlers } from '../../src-main/core/api/dispatch';
import { MAX_CONNECTIONS, startBrowserServer } from '../../src-main/server/browserServer';
import { RAVDESS_16K } from '../helpers/shared';

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('the API under load and abuse', () => {
  it('stays responsive and correct, bounds memory, changes nothing stored and leaves a training run as it would be', async () => {
    expect(RAVDESS_16K).toBeTruthy(); // the shared data must be there (the helper throws otherwise)
    const report = await measureApiUnderAbuse({
      clients: 20,
      requestsPerClient: 400,
      malformed: 10_000,
      abusers: 4,
      big: 1,
      slowRequests: 400,
      idleCalls: 200,
      actors: 2,
      epochs: 3,
      warmup: false,
    });
    const context = JSON.stringify({ ...report, store: report.store.unchanged, run: { ...report.run, baseline: undefined } });

    // The server is still there and every well-formed request got its correct answer.
    expect(report.serverAlive, context).toBe(true);
    expect(report.wellFormed.sent).toBeGreaterThan(100);
    expect(report.wellFormed.wrong, context).toEqual([]);
    expect(report.wellFormed.correct).toBe(report.wellFormed.sent);

    // Malformed messages get an error each (none did anything); oversized frames and bad UTF-8 close their
    // connection with 1009 and 1007 rather than taking the server down.
    expect(report.malformed.sent).toBe(10_000);
    expect(report.malformed.results, context).toBe(0);
    expect(report.malformed.closeCodes['1009'], context).toBe(2);
    expect(report.malformed.closeCodes['1007'], context).toBeGreaterThanOrEqual(1);
    expect(report.malformed.errorReplies, context).toBe(10_000 - report.malformed.closeCodes['1009'] - report.malformed.closeCodes['1007']);
    expect(report.prototypePolluted).toBe(false);

    // Responsive, with bounds generous enough for two cores shared with a training worker, this test's own clients
    // and whatever else the machine runs: a 50 MB message alone holds the server's event loop for 0.4 to 1.7 s while
    // ws unmasks it and JSON.parse reads it (measured at a load average of 14), and those stalls are the p99.
    expect(report.loaded.n).toBeGreaterThan(20);
    expect(report.loaded.p95, context).toBeLessThan(3_000);
    expect(report.loaded.p99, context).toBeLessThan(10_000);

    // The client that never read was dropped (its requests stopped being read at 16 MiB queued, and it was dropped
    // 5 s later), not buffered without bound. Memory is bounded by its peak: what RSS shows afterwards depends on
    // when V8 collects and whether malloc gives pages back (seen from 305 to 437 MB for the same run), so not asserted.
    expect(report.slowClients.dropped.length, context).toBe(1);
    expect(report.slowClients.dropped[0]).toMatch(/stopped reading/);
    expect(report.slowClients.pausedBacklogBytes).toBeLessThan(64 * 2 ** 20);
    expect(report.rss.peak - report.rss.before, context).toBeLessThan(400);

    // Nothing stored changed but the abused run's own rows; the run finished every epoch with the undisturbed
    // run's results (training is deterministic per seed).
    expect(report.store.after, context).toEqual(report.store.before);
    expect(report.run.abused.status).toBe('completed');
    expect(report.run.abused.epochs).toBe(3);
    expect(report.run.abused.epochEvents).toBe(3);
    expect(report.run.sameResults, context).toBe(true);
  }, 180_000);

  it('refuses connections over the cap with 503, and answers a result that cannot be serialised with an error', async () => {
    // app.info answers with a BigInt: JSON.stringify throws on it, which must fail that request, not the server.
    const handlers = { 'app.info': () => ({ n: 1n }) } as unknown as Handlers;
    const server = await startBrowserServer({ handlers, rendererDir: '/nonexistent', port: 0, log: () => {} });
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    try {
      const sockets = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open(url)));
      await expect(open(url)).rejects.toThrow(/503/);
      const first = sockets[0];
      const answer = await new Promise<string>((resolve) => {
        first.once('message', (d) => resolve(d.toString()));
        first.send(JSON.stringify({ id: 9, method: 'app.info', params: {} }));
      });
      expect(JSON.parse(answer)).toMatchObject({ id: 9, error: { code: 'failed', message: expect.stringMatching(/could not be sent/) } });
      first.close();
      await new Promise((r) => first.once('close', r));
      await new Promise((r) => setTimeout(r, 200)); // the server sees the close a moment after the client
      (await open(url)).close(); // a slot is free again
      for (const ws of sockets) ws.close();
    } finally {
      await server.close();
    }
  });
});
