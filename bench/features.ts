// Feature-extraction throughput on RAVDESS 16 kHz: decode + 64-band log-mel + 40 MFCC per file.
// Prints files/s and real-time factor in this process (one core, no IPC), then through the worker pool
// (1 and 2 workers), cold (empty cache) and cached. Then the ComParE 2016 set (kind 'compare', 6,373 functionals)
// in process, with the voice-quality share. Usage: npx tsx bench/features.ts [--files N] [--rounds N] [--compare-files N]
// [--compare-only] (only the ComParE part: no worker pools, light on a shared machine)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashFileSync } from '../src-main/core/audio/hash';
import { decodeAudioBytes, readAudioBytes } from '../src-main/core/audio/load';
import { computeFeatures } from '../src-main/core/features/compute';
import { FEATURE_PRESETS, parseFeatureConfig } from '../src-shared/config/features';
import { compareFunctionals } from '../src-main/core/features/compare/index';
import { compareLlds } from '../src-main/core/features/compare/llds';
import { voiceQualityTracks } from '../src-main/core/features/voiceQuality';
import { extractFiles } from '../src-main/core/features/dataset';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const shared = process.env.SER_SHARED_DIR ?? resolve(import.meta.dirname, '..', '..', 'shared');
const root = join(shared, 'data', 'ravdess-16k');
const paths = readdirSync(root)
  .filter((d) => d.startsWith('Actor_'))
  .sort()
  .flatMap((d) =>
    readdirSync(join(root, d))
      .sort()
      .map((f) => join(root, d, f)),
  )
  .slice(0, flag('--files', Infinity));
const rounds = flag('--rounds', 2);

// The librosa comparison: melspectrogram(n_fft 1024, hop 512, 64 mels, fmax 8000) -> power_to_db -> mfcc(40), whole file.
const config = parseFeatureConfig({
  kind: 'mfcc',
  sampleRate: 16000,
  nFft: 1024,
  hop: 512,
  nMels: 64,
  fmax: 8000,
  nMfcc: 40,
  length: { mode: 'variable', maxSeconds: 600 },
});

const jobs = paths.map((path, i) => ({ fileId: i + 1, path, contentHash: hashFileSync(path) }));
let audioSeconds = 0;

function line(label: string, seconds: number): void {
  const fps = paths.length / seconds;
  const rtf = seconds / audioSeconds;
  process.stdout.write(
    `${label.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s  ${fps.toFixed(0).padStart(6)} files/s  RTF ${rtf.toExponential(2)} (${(1 / rtf).toFixed(0)}x real time)\n`,
  );
}

async function inProcess(): Promise<void> {
  let decode = 0;
  let features = 0;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    decode = 0;
    features = 0;
    audioSeconds = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const p of paths) {
      const a = performance.now();
      const audio = await decodeAudioBytes(readAudioBytes(p), p, { sampleRate: 16000 });
      const b = performance.now();
      computeFeatures(audio.samples, audio.sampleRate, config);
      features += performance.now() - b;
      decode += b - a;
      audioSeconds += audio.duration;
    }
    best = Math.min(best, (performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  process.stdout.write(`${paths.length} files, ${audioSeconds.toFixed(0)} s of audio; mfcc40 over 64 mels, n_fft 1024, hop 512, whole files\n`);
  line('in process (1 core, no IPC), wall', best);
  // On a shared machine wall time includes waiting for a core; CPU time is what one core would need.
  line('in process, per CPU-second', bestCpu);
  process.stdout.write(
    `  of which decode ${(decode / paths.length).toFixed(3)} ms/file, features ${(features / paths.length).toFixed(3)} ms/file (last round)\n`,
  );
}

async function pool(workers: number): Promise<void> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'ser-bench-cache-'));
  try {
    const cold = await extractFiles(jobs, { config, cacheDir, workers });
    if (cold.errors.length) throw new Error(`${cold.errors.length} files failed, first: ${cold.errors[0].file}: ${cold.errors[0].reason}`);
    line(`${workers} worker${workers > 1 ? 's' : ''}, cold (incl. start-up)`, cold.seconds);
    const warm = await extractFiles(jobs, { config, cacheDir, workers });
    if (warm.cached !== paths.length) throw new Error(`expected ${paths.length} cache hits, got ${warm.cached}`);
    line(`${workers} worker${workers > 1 ? 's' : ''}, cached`, warm.seconds);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

// ComParE 2016 through computeFeatures (resampling, length rule, LLDs, functionals) on the first --compare-files files,
// then the same files split into the voice-quality tracks, the other LLDs and the functionals (CPU time of this process).
async function compare(): Promise<void> {
  const files = paths.slice(0, flag('--compare-files', 240));
  const audios = [];
  for (const p of files) audios.push(await decodeAudioBytes(readAudioBytes(p), p, { sampleRate: 16000 }));
  const seconds = audios.reduce((s, a) => s + a.duration, 0);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    for (const a of audios) computeFeatures(a.samples, a.sampleRate, FEATURE_PRESETS.compare);
    best = Math.min(best, (performance.now() - t0) / 1000);
    bestCpu = Math.min(bestCpu, (cpuMs() - c0) / 1000);
  }
  let voice = 0;
  let llds = 0;
  let functionals = 0;
  for (const a of audios) {
    const c0 = cpuMs();
    let v = 0;
    const l = compareLlds(a.samples, 16000, (x, sr, o) => {
      const s0 = cpuMs();
      const tracks = voiceQualityTracks(x, sr, o);
      v += cpuMs() - s0;
      return tracks;
    });
    const c1 = cpuMs();
    compareFunctionals(l);
    functionals += cpuMs() - c1;
    llds += c1 - c0 - v;
    voice += v;
  }
  const per = (ms: number) => (ms / audios.length).toFixed(2);
  process.stdout.write(`\ncompare (ComParE 2016, 6,373 functionals): ${audios.length} files, ${seconds.toFixed(0)} s of audio\n`);
  process.stdout.write(
    `  in process, wall ${best.toFixed(2)} s = ${(audios.length / best).toFixed(1)} files/s; per CPU-second ${(audios.length / bestCpu).toFixed(1)} files/s per core (target >= 50)\n`,
  );
  process.stdout.write(
    `  CPU ms/file: voice quality (F0, jitter, shimmer, HNR) ${per(voice)}, other LLDs ${per(llds)}, functionals ${per(functionals)}\n`,
  );
}

if (!args.includes('--compare-only')) {
  await inProcess();
  await pool(1);
  await pool(2);
  process.stdout.write('reference: soundfile + librosa reach ~700 files/s per core on this machine for the same work\n');
}
await compare();
