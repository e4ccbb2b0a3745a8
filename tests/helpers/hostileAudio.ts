import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src-main/core/mulberry32';

// A folder of damaged copies of one real WAV, like the one a tester built by hand for issue 18: header bytes flipped,
// sizes set to 0 / 1 / 2^32-1, implausible rates and channel counts, truncations, random bytes, a zero-filled file,
// an 11-minute file, a header (on a sparse file) that really holds 15 hours, and garbage named .flac/.mp3/.ogg.
// Seeded, so every run builds the same files; shared by tests/integration/fuzzAudio.test.ts and bench/hostileAudio.ts.

/** One file of the corpus: its name in the folder and what was done to it. */
export interface HostileFile {
  name: string;
  damage: string;
}

interface Layout {
  fmtAt: number;
  dataAt: number;
}

function findChunk(bytes: Uint8Array, id: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= bytes.length;) {
    if (String.fromCharCode(...bytes.subarray(at, at + 4)) === id) return at;
    const size = view.getUint32(at + 4, true);
    at += 8 + size + (size & 1);
  }
  throw new Error(`hostile corpus: the source WAV has no ${id} chunk`);
}

/** A unique RAVDESS-style name (so the import reads a label and a speaker from it) with the given extension. */
function ravdessName(i: number, ext: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const emotion = 1 + (i % 8);
  const intensity = 1 + (Math.floor(i / 8) % 2);
  const statement = 1 + (Math.floor(i / 16) % 2);
  const repetition = 1 + (Math.floor(i / 32) % 2);
  const actor = 1 + (Math.floor(i / 64) % 24);
  return `03-01-${two(emotion)}-${two(intensity)}-${two(statement)}-${two(repetition)}-${two(actor)}.${ext}`;
}

export interface HostileCorpusOptions {
  seed?: number;
  /** Files in all (the fixed cases first, then random header damage up to this count). */
  count?: number;
  /** Adds the 11-minute file and the sparse 15-hour file (large on disk or nominally). */
  long?: boolean;
}

/** Writes the damaged copies of `source` (a 16-bit PCM WAV) into `dir` and says what each one is. */
export function writeHostileCorpus(dir: string, source: Uint8Array, opts: HostileCorpusOptions = {}): HostileFile[] {
  const rand = mulberry32(opts.seed ?? 18);
  const count = opts.count ?? 300;
  const layout: Layout = { fmtAt: findChunk(source, 'fmt '), dataAt: findChunk(source, 'data') };
  const headerEnd = layout.dataAt + 8;
  const files: HostileFile[] = [];
  const add = (bytes: Uint8Array, damage: string, ext = 'wav') => {
    const name = ravdessName(files.length, ext);
    writeFileSync(join(dir, name), bytes);
    files.push({ name, damage });
  };
  const copy = () => source.slice();
  const u32 = (at: number, v: number) => {
    const b = copy();
    new DataView(b.buffer).setUint32(at, v >>> 0, true);
    return b;
  };
  const u16 = (b: Uint8Array, at: number, v: number) => {
    new DataView(b.buffer).setUint16(at, v, true);
    return b;
  };
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));

  add(copy(), 'intact copy');
  for (const [field, at] of [
    ['RIFF size', 4],
    ['fmt size', layout.fmtAt + 4],
    ['data size', layout.dataAt + 4],
  ] as const) {
    const actual = new DataView(source.buffer, source.byteOffset).getUint32(at, true);
    for (const v of [0, 1, 2 ** 32 - 1, 2 ** 31, actual + 1, actual - 1]) add(u32(at, v), `${field} set to ${v}`);
  }
  const fmtBody = layout.fmtAt + 8;
  for (const rate of [1, 3, 1_326_629, 4_294_967_295, 0, 3999, 4000, 8000, 16001, 44100, 384_000, 384_001]) {
    add(u32(fmtBody + 4, rate), `sample rate ${rate} Hz`);
  }
  for (const channels of [0, 65535, 2, 32, 33]) {
    const b = u16(copy(), fmtBody + 2, channels);
    // Keep the block size consistent for the small counts, so it is the channel count that is judged.
    if (channels > 0 && channels <= 33) u16(b, fmtBody + 12, channels * 2);
    add(b, `${channels} channels`);
  }
  for (const bits of [0, 8, 12, 24, 32, 64]) add(u16(copy(), fmtBody + 14, bits), `${bits} bits per sample`);
  for (const code of [0, 2, 3, 6, 7, 0xfffe, 0xffff]) add(u16(copy(), fmtBody, code), `format code ${code}`);
  add(u16(copy(), fmtBody + 12, 0), 'block size 0');
  add(u16(copy(), fmtBody + 12, 65535), 'block size 65535');

  // Truncations: every byte of the header, then spread through the samples.
  for (let n = 0; n <= headerEnd + 4; n++) add(source.slice(0, n), `truncated to ${n} bytes`);
  for (let k = 1; k <= 20; k++) {
    const n = headerEnd + Math.floor(((source.length - headerEnd) * k) / 21);
    add(source.slice(0, n), `truncated to ${n} bytes`);
  }

  // Each header byte flipped.
  for (let at = 0; at < headerEnd; at++) {
    const b = copy();
    b[at] ^= 1 + Math.floor(rand() * 255);
    add(b, `header byte ${at} flipped`);
  }

  add(new Uint8Array(source.length), 'all zeros');
  add(new Uint8Array(0), 'empty');
  for (const n of [1, 7, 100, 5000, 120_000]) add(randomBytes(n), `${n} random bytes`);
  for (const n of [12, 44, 4096, 120_000]) {
    const b = randomBytes(n);
    b.set(source.subarray(0, 12));
    add(b, `RIFF/WAVE then ${n - 12} random bytes`);
  }
  {
    const b = copy();
    b.set(randomBytes(source.length - headerEnd), headerEnd);
    add(b, 'valid header, random samples');
  }
  {
    // A data chunk before the fmt chunk.
    const fmt = source.slice(layout.fmtAt, layout.dataAt);
    const data = source.slice(layout.dataAt);
    const b = new Uint8Array(source.length);
    b.set(source.subarray(0, 12));
    b.set(data, 12);
    b.set(fmt, 12 + data.length);
    add(b, 'data chunk before fmt');
  }
  {
    // A LIST chunk claiming 1 GiB before the data chunk: the walk must not read it.
    const list = new Uint8Array(8);
    list.set([0x4c, 0x49, 0x53, 0x54]);
    new DataView(list.buffer).setUint32(4, 2 ** 30, true);
    const b = new Uint8Array(source.length + 8);
    b.set(source.subarray(0, layout.dataAt));
    b.set(list, layout.dataAt);
    b.set(source.subarray(layout.dataAt), layout.dataAt + 8);
    add(b, 'LIST chunk claiming 1 GiB before the data');
  }
  {
    // 15 h claimed at 16 kHz, but only the real samples present.
    add(u32(layout.dataAt + 4, 15 * 3600 * 16000 * 2), 'data size claiming 15 h, file 4 s long');
  }
  for (const [ext, magic] of [
    ['flac', 'fLaC'],
    ['mp3', 'ID3'],
    ['ogg', 'OggS'],
  ] as const) {
    add(randomBytes(3000), `random bytes named .${ext}`, ext);
    const b = randomBytes(3000);
    b.set(Array.from(magic, (c) => c.charCodeAt(0)));
    add(b, `${magic} magic then random bytes, named .${ext}`, ext);
  }
  add(copy(), 'a real WAV named .mp3', 'mp3');

  if (opts.long) {
    // 11 minutes: the clip repeated (a genuine long recording, over the 10-minute default).
    const samples = source.subarray(headerEnd);
    const reps = Math.ceil((11 * 60 * 16000 * 2) / samples.length);
    const b = new Uint8Array(headerEnd + reps * samples.length);
    b.set(source.subarray(0, headerEnd));
    for (let r = 0; r < reps; r++) b.set(samples, headerEnd + r * samples.length);
    new DataView(b.buffer).setUint32(layout.dataAt + 4, reps * samples.length, true);
    new DataView(b.buffer).setUint32(4, b.length - 8, true);
    add(b, `${((reps * samples.length) / 32000 / 60).toFixed(1)} min long (clip repeated)`);
    // 15 h at 16 kHz really present, as a sparse file (zeros after the clip): 1.7 GB nominal, nothing on disk.
    const dataBytes = 15 * 3600 * 16000 * 2;
    const head = source.slice(0, source.length);
    new DataView(head.buffer).setUint32(layout.dataAt + 4, dataBytes, true);
    new DataView(head.buffer).setUint32(4, headerEnd - 8 + dataBytes, true);
    const name = ravdessName(files.length, 'wav');
    const fd = openSync(join(dir, name), 'w');
    try {
      writeSync(fd, head);
      ftruncateSync(fd, headerEnd + dataBytes);
    } finally {
      closeSync(fd);
    }
    files.push({ name, damage: '15 h long (sparse file, 1.7 GB)' });
  }

  // The rest: several header bytes damaged at once.
  while (files.length < count) {
    const b = copy();
    const k = 2 + Math.floor(rand() * 4);
    const at: number[] = [];
    for (let j = 0; j < k; j++) {
      const p = Math.floor(rand() * headerEnd);
      b[p] = Math.floor(rand() * 256);
      at.push(p);
    }
    add(b, `header bytes ${at.join(', ')} randomised`);
  }
  return files;
}
