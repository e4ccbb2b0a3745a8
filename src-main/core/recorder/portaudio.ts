import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { diagnoseNativeLoad, installFolder } from '../nativeModuleLoad';
import { errorMessage } from '../../../src-shared/api/errors';

// naudiodon (PortAudio) is an optional native dependency: it is loaded only inside the capture
// process (captureChild.ts), and its absence is an error a user can act on, not a crash.

/** One PortAudio device as naudiodon reports it (ids are indices, valid until devices change). */
export interface PortAudioDevice {
  id: number;
  name: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  /** Hz */
  defaultSampleRate: number;
  hostAPIName: string;
}

export interface PortAudioHostApis {
  defaultHostAPI: number;
  HostAPIs: { id: number; name: string; defaultInput: number; defaultOutput: number }[];
}

/** The readable half of naudiodon's AudioIO: a Node stream of interleaved PCM bytes. */
export interface PortAudioInput {
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'error', listener: (err: unknown) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  start(): void;
  pause(): this;
  resume(): this;
  isPaused(): boolean;
}

export interface PortAudioInputOptions {
  deviceId: number;
  /** Hz */
  sampleRate: number;
  channelCount: number;
  /** 16 = signed 16-bit integers, what every capture device can deliver. */
  sampleFormat: 16;
  /** Blocks PortAudio may queue before its callback waits for us. */
  maxQueue: number;
  /** Bytes per stream chunk: sets how often levels update. */
  highwaterMark: number;
  closeOnError: boolean;
}

export interface PortAudio {
  getDevices(): PortAudioDevice[];
  getHostAPIs(): PortAudioHostApis;
  AudioIO(options: { inOptions: PortAudioInputOptions }): PortAudioInput;
}

export const PORTAUDIO_UNAVAILABLE = 'audio capture unavailable: naudiodon not built (install libasound2-dev and re-run npm install)';

/** Thrown when naudiodon cannot be loaded; `detail` keeps the loader's own message. */
export class CaptureUnavailableError extends Error {
  constructor(
    readonly detail: string,
    message = PORTAUDIO_UNAVAILABLE,
  ) {
    super(message);
    this.name = 'CaptureUnavailableError';
  }
}

const require = createRequire(import.meta.url);

/** True when naudiodon is installed and its native part was built (npm 12 installs it unbuilt when scripts are blocked). */
export function portAudioBuilt(): boolean {
  try {
    return existsSync(join(dirname(require.resolve('naudiodon/package.json')), 'build', 'Release', 'naudiodon.node'));
  } catch {
    return false;
  }
}

/** Loads naudiodon at run time; throws CaptureUnavailableError when it is missing or failed to build. */
export async function loadPortAudio(): Promise<PortAudio> {
  // A variable specifier keeps bundlers from resolving (and requiring) the optional module.
  const specifier = process.env.SER_NAUDIODON_MODULE || 'naudiodon';
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as { default?: PortAudio } & Partial<PortAudio>;
    const api = (mod.default ?? mod) as Partial<PortAudio>;
    if (typeof api.getDevices !== 'function' || typeof api.AudioIO !== 'function') {
      throw new Error(`${specifier} does not export getDevices/AudioIO`);
    }
    return api as PortAudio;
  } catch (err) {
    const detail = errorMessage(err);
    // Not installed at all (npm drops an optional dependency whose build failed): the documented message.
    if ((err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') throw new CaptureUnavailableError(detail);
    // Installed but unusable: never built (npm 12 blocked its script) or built for another Node.
    const d = diagnoseNativeLoad('naudiodon', err, { projectDir: installFolder('naudiodon') });
    throw new CaptureUnavailableError(detail, `audio capture unavailable: naudiodon ${d.why}. Fix (needs libasound2-dev): ${d.fix}`);
  }
}
