// Audio fixtures generated at test time with sox / ffmpeg / espeak-ng into a temp dir: no binaries
// are committed, and every format is produced by an independent encoder.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeWav } from '../../src-shared/audio/wav';

/** Creates an empty temp dir; remove it with removeDir. */
export function makeTempDir(prefix = 'ser-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs a tool, failing with a clear message when it is not installed (the tests need sox, ffmpeg, espeak-ng). */
export function runTool(tool: 'sox' | 'ffmpeg' | 'espeak-ng', args: string[]): Buffer {
  try {
    return execFileSync(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error(
        `${tool} is not installed; the audio tests generate their fixtures with it (apt-get install sox libsox-fmt-all ffmpeg espeak-ng)`,
      );
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** A generated file and what it should decode to. */
export interface FormatFixture {
  name: string;
  path: string;
  sampleRate: number;
  channels: number;
  /** Seconds. */
  duration: number;
  /** Lossless files are compared sample by sample with sox's own decode. */
  lossless: boolean;
}

const TONE = ['synth', '0.5', 'sine', '440'];

/** Writes one file per supported sample format / container into `dir`. */
export function generateFormatFixtures(dir: string): FormatFixture[] {
  const out: FormatFixture[] = [];
  const soxFile = (name: string, rate: number, channels: number, encodeArgs: string[], synth: string[], lossless = true) => {
    const path = join(dir, name);
    runTool('sox', ['-n', '-r', String(rate), '-c', String(channels), ...encodeArgs, path, ...synth]);
    out.push({ name, path, sampleRate: rate, channels, duration: 0.5, lossless });
  };
  soxFile('u8.wav', 22050, 1, ['-b', '8', '-e', 'unsigned-integer'], TONE);
  soxFile('s16.wav', 22050, 1, ['-b', '16'], TONE);
  soxFile('s16-8k.wav', 8000, 1, ['-b', '16'], TONE);
  soxFile('s24.wav', 22050, 1, ['-b', '24'], TONE);
  soxFile('s32.wav', 44100, 1, ['-b', '32'], TONE);
  soxFile('f32.wav', 22050, 1, ['-e', 'floating-point', '-b', '32'], TONE);
  soxFile('f64.wav', 22050, 1, ['-e', 'floating-point', '-b', '64'], TONE);
  // Different tones per channel so a downmix that drops a channel is caught.
  soxFile('s16-stereo.wav', 44100, 2, ['-b', '16'], ['synth', '0.5', 'sine', '440', 'sine', '660']);
  soxFile('s24-stereo-48k.wav', 48000, 2, ['-b', '24'], ['synth', '0.5', 'sine', '440', 'sine', '1000']);
  soxFile('tone.flac', 22050, 1, ['-b', '16'], TONE);
  soxFile('tone-stereo.flac', 44100, 2, ['-b', '24'], ['synth', '0.5', 'sine', '440', 'sine', '660']);
  soxFile('tone.ogg', 22050, 1, [], TONE, false);
  soxFile('tone.mp3', 22050, 1, [], TONE, false);
  const m4a = join(dir, 'tone.m4a');
  runTool('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5:sample_rate=22050', '-c:a', 'aac', m4a]);
  out.push({ name: 'tone.m4a', path: m4a, sampleRate: 22050, channels: 1, duration: 0.5, lossless: false });
  return out;
}

/** sox's own decode of a file: interleaved float samples, and the channel count. */
export function soxDecode(path: string, channels: number): Float32Array[] {
  const raw = runTool('sox', [path, '-t', 'f32', '-e', 'floating-point', '-b', '32', '-']);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const frames = all.length / channels;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => all[i * channels + c]));
}

/** A broken file and the reason the decoder must give. */
export interface BrokenFixture {
  path: string;
  reason: RegExp;
}

/** Writes a directory of broken files (empty, truncated, wrong header, text renamed .wav, zero-length...). */
export function generateBrokenFixtures(dir: string): BrokenFixture[] {
  mkdirSync(dir, { recursive: true });
  const good = join(dir, '..', 'broken-source.wav');
  runTool('sox', ['-n', '-r', '16000', '-b', '16', good, 'synth', '0.5', 'sine', '300']);
  const bytes = readFileSync(good);
  const list: BrokenFixture[] = [];
  const put = (name: string, data: Uint8Array | string, reason: RegExp) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    list.push({ path, reason });
  };
  put('empty.wav', new Uint8Array(0), /empty file/);
  put('truncated.wav', bytes.subarray(0, 44 + 1000), /truncated/);
  put('header-only.wav', bytes.subarray(0, 30), /truncated inside the fmt chunk/);
  put('text.wav', 'This is not audio, just a text file with a .wav name.\n', /not a WAV file/);
  const notWave = Buffer.from(bytes);
  notWave.write('AVI ', 8, 'ascii');
  put('riff-not-wave.wav', notWave, /not WAVE/);
  put('garbage.flac', Buffer.alloc(4096, 7), /not a recognised audio file/);
  put('text.mp3', 'ID3 pretend tag followed by nothing useful at all', /could not decode|zero-length/);
  const zeroPath = join(dir, 'zero-length.wav');
  runTool('sox', ['-n', '-r', '16000', '-b', '16', zeroPath, 'trim', '0', '0']);
  list.push({ path: zeroPath, reason: /zero-length/ });
  rmSync(good);
  return list;
}

/** Writes a short 16-bit WAV tone (our own encoder; used where only the name and header matter). */
export function writeToneWav(path: string, opts: { sampleRate?: number; seconds?: number; hz?: number } = {}): void {
  const sr = opts.sampleRate ?? 16000;
  const n = Math.round(sr * (opts.seconds ?? 0.25));
  const hz = opts.hz ?? 220;
  const x = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / sr));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeWav(x, sr));
}

/** Lays out a synthetic corpus: one tiny WAV per relative path (copies of one file, so it is fast). */
export function writeCorpus(root: string, relPaths: string[]): void {
  const template = join(root, '.template.wav');
  mkdirSync(root, { recursive: true });
  writeToneWav(template);
  for (const rel of relPaths) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(template, path);
  }
  rmSync(template);
}

/** Speaks `text` with espeak-ng into a WAV (22.05 kHz mono 16-bit). */
export function speak(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  runTool('espeak-ng', ['-w', path, text]);
}
