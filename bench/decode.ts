// Decode and resample throughput on real recordings (one core).
// Usage: npm run bench -- decode
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAudio } from '../src-main/core/audio/load';

const data = join(import.meta.dirname, '..', '..', 'shared', 'data');
const list = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.wav'))
    .map((f) => join(dir, f));

async function measure(label: string, files: string[], sampleRate?: number): Promise<void> {
  let audioSeconds = 0;
  const t0 = performance.now();
  for (const f of files) audioSeconds += (await loadAudio(f, { sampleRate })).duration;
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${label}: ${files.length} files in ${s.toFixed(2)} s = ${(files.length / s).toFixed(0)} files/s, ${(audioSeconds / s).toFixed(0)}x real time`,
  );
}

await measure('16 kHz WAV decode', list(join(data, 'ravdess-16k')));
await measure('48 kHz WAV decode', list(join(data, 'ravdess-48k')));
await measure('48 kHz WAV decode + resample to 16 kHz', list(join(data, 'ravdess-48k')), 16000);
