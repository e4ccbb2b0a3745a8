import type { Db } from '../store/db';
import { getSetting, setSetting } from '../store/settings';
import type { InputDevice } from './captureMessages';
import { describeExit, spawnCapture, type SpawnCaptureOptions } from './captureProcess';
import { CaptureUnavailableError } from './portaudio';

export type { InputDevice } from './captureMessages';

/** settings-table key holding the name of the last chosen input device. */
export const DEVICE_SETTING = 'recorder.device';
const LIST_TIMEOUT_MS = 20_000;

/** Thrown when there is nothing to record from; the message says what was looked for. */
export class NoInputDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoInputDeviceError';
  }
}

/** Lists the input devices PortAudio sees (the system default marked); runs in a capture process. */
export function listDevices(opts: SpawnCaptureOptions = {}): Promise<InputDevice[]> {
  return new Promise((resolve, reject) => {
    const child = spawnCapture({ cmd: 'devices' }, opts);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`listing audio devices took over ${LIST_TIMEOUT_MS / 1000} s; PortAudio is not responding`)));
      child.kill();
    }, LIST_TIMEOUT_MS);
    child.onEvent((event) => {
      if (event.type === 'devices') settle(() => resolve(event.devices));
      else if (event.type === 'error')
        settle(() => reject(event.kind === 'unavailable' ? new CaptureUnavailableError(event.message, event.message) : new Error(event.message)));
    });
    child.onExit((code, signal, detail) => settle(() => reject(new Error(`could not list audio devices: ${describeExit(code, signal, detail)}`))));
  });
}

/** How a caller names the device to record from. */
export interface DeviceChoice {
  /** Device id or name (exact, or a unique case-insensitive part of it); an error when absent. */
  device?: number | string;
  /** A name used when present (e.g. the remembered device), else the system default. */
  preferred?: string;
}

function findByName(devices: InputDevice[], name: string): InputDevice | undefined {
  const exact = devices.find((d) => d.name === name);
  if (exact) return exact;
  const needle = name.toLowerCase();
  const partial = devices.filter((d) => d.name.toLowerCase().includes(needle));
  return partial.length === 1 ? partial[0] : undefined;
}

/** Picks the input device to open: the named one, else the preferred one if present, else the default, else the first. */
export function pickInputDevice(devices: InputDevice[], choice: DeviceChoice, totalDevices = devices.length): InputDevice {
  if (devices.length === 0) {
    throw new NoInputDeviceError(
      totalDevices > 0
        ? `No audio input device found: PortAudio sees ${totalDevices} device(s), none of which can record. Connect a microphone and try again.`
        : 'No audio input device found: PortAudio sees no audio devices at all. Connect a microphone (or check ALSA permissions) and try again.',
    );
  }
  const names = devices.map((d) => `${d.id}: ${d.name}`).join(', ');
  if (typeof choice.device === 'number') {
    const byId = devices.find((d) => d.id === choice.device);
    if (!byId) throw new NoInputDeviceError(`No input device with id ${choice.device}. Input devices: ${names}.`);
    return byId;
  }
  if (typeof choice.device === 'string') {
    const byName = findByName(devices, choice.device);
    if (!byName) throw new NoInputDeviceError(`No input device matches "${choice.device}" (or several do). Input devices: ${names}.`);
    return byName;
  }
  const preferred = choice.preferred ? findByName(devices, choice.preferred) : undefined;
  return preferred ?? devices.find((d) => d.isDefault) ?? devices[0];
}

/** The input device name last chosen by the user, or null. */
export function rememberedDevice(db: Db): string | null {
  return getSetting(db, DEVICE_SETTING) || null;
}

/** Remembers the chosen input device by name (ids change when devices come and go). */
export function rememberDevice(db: Db, name: string): void {
  setSetting(db, DEVICE_SETTING, name);
}
