// Kill figures (issue 18): the workbench's server SIGKILLed at seeded random moments of an import (600 RAVDESS files),
// a feature extraction (120 files, seed-logmel), a training run (SimpleCNN 4-8-8-8, 4 epochs) and a model save (slowed
// to --slow-ms a step), --kills times each; after every kill the store is opened as the next start would and checked
// (tests/helpers/durability.ts: integrity, no stored epoch or imported file lost, no partial dataset, interrupted runs
// marked, no half-written model folder on disk or registered). Prints each phase's window, kills, violations and time.
// Usage: npm run bench -- durability [--kills 20] [--phases import,extract,train,save] [--drive websocket|direct]
//        [--slow-ms 60] [--seed 1800]
// --drive websocket (default) drives the real browser-mode server over its API; direct skips loading the API handlers.
import { cpus, loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { calibrate, killPhase, PHASES, prepareFixture, saveWindowMs, type Drive, type Phase } from '../tests/helpers/durability';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const kills = Number(option('--kills', '20'));
const phases = option('--phases', PHASES.join(',')).split(',') as Phase[];
const drive = option('--drive', 'websocket') as Drive;
const slowMs = Number(option('--slow-ms', '60'));
const seed = Number(option('--seed', '1800'));

console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${kills} kills per phase, driven ${drive === 'direct' ? 'directly' : 'over the WebSocket API'}`,
);
const fixture = await prepareFixture();
let failed = 0;
try {
  for (const phase of phases) {
    const t0 = performance.now();
    let windowMs = saveWindowMs(slowMs);
    if (phase !== 'save') {
      const c = await calibrate(fixture, phase, drive, slowMs);
      if (c.violations.length) console.log(`${phase}: the uninterrupted run left problems: ${c.violations.join('; ')}`);
      windowMs = c.windowMs;
    }
    const results = await killPhase(fixture, phase, kills, windowMs, seed + PHASES.indexOf(phase), {
      drive,
      slowMs,
      onKill: (r) => {
        for (const v of r.violations) console.log(`  ${phase} kill ${r.index} at ${r.delayMs} ms (${r.scope}): ${v}`);
      },
    });
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    failed += violations;
    const during = results.filter((r) => !r.finishedFirst).length;
    const perKill = results.reduce((s, r) => s + r.totalMs, 0) / results.length / 1000;
    const interrupted = results.reduce((n, r) => n + r.inspection.runs.filter((x) => x.status === 'interrupted').length, 0);
    console.log(
      `${phase.padEnd(8)} window ${(windowMs / 1000).toFixed(2)} s  kills ${kills} (${during} before the work ended)  ` +
        `violations ${violations}  runs marked interrupted ${interrupted}  ${perKill.toFixed(1)} s per kill  ` +
        `phase ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
} finally {
  rmSync(fixture.dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
