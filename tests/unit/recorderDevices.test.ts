import { describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/core/store/db';
import {
  DEVICE_SETTING,
  NoInputDeviceError,
  pickInputDevice,
  rememberDevice,
  rememberedDevice,
  type InputDevice,
} from '../../src-main/core/recorder/devices';

const devices: InputDevice[] = [
  { id: 0, name: 'HDA Intel PCH: ALC257 Analog (hw:0,0)', maxInputChannels: 2, defaultSampleRate: 44100, isDefault: false },
  { id: 3, name: 'USB Audio Device: - (hw:1,0)', maxInputChannels: 1, defaultSampleRate: 48000, isDefault: false },
  { id: 7, name: 'default', maxInputChannels: 32, defaultSampleRate: 44100, isDefault: true },
];

describe('pickInputDevice', () => {
  it('takes the system default when nothing is asked for', () => {
    expect(pickInputDevice(devices, {}).id).toBe(7);
    expect(pickInputDevice(devices.slice(0, 2), {}).id).toBe(0);
  });

  it('finds a device by id, exact name or a unique part of the name', () => {
    expect(pickInputDevice(devices, { device: 3 }).name).toMatch(/USB/);
    expect(pickInputDevice(devices, { device: 'default' }).id).toBe(7);
    expect(pickInputDevice(devices, { device: 'usb audio' }).id).toBe(3);
  });

  it('names the available devices when the asked one is missing or ambiguous', () => {
    expect(() => pickInputDevice(devices, { device: 5 })).toThrow(/No input device with id 5.*USB Audio Device/);
    expect(() => pickInputDevice(devices, { device: 'hw:' })).toThrow(/matches "hw:" \(or several do\)/);
    expect(() => pickInputDevice(devices, { device: 'Blue Yeti' })).toThrow(NoInputDeviceError);
  });

  it('uses a preferred (remembered) device when present, the default when it is gone', () => {
    expect(pickInputDevice(devices, { preferred: 'USB Audio Device: - (hw:1,0)' }).id).toBe(3);
    expect(pickInputDevice(devices, { preferred: 'Blue Yeti' }).id).toBe(7);
  });

  it('says clearly when there is nothing to record from', () => {
    expect(() => pickInputDevice([], {}, 2)).toThrow(/No audio input device found: PortAudio sees 2 device\(s\), none of which can record/);
    expect(() => pickInputDevice([], {}, 0)).toThrow(/sees no audio devices at all/);
  });
});

describe('remembered device', () => {
  it('round-trips through the settings table under recorder.device', () => {
    const store = openStore(':memory:');
    try {
      expect(rememberedDevice(store.db)).toBeNull();
      rememberDevice(store.db, 'USB Audio Device: - (hw:1,0)');
      rememberDevice(store.db, 'default');
      expect(rememberedDevice(store.db)).toBe('default');
      const row = store.db.prepare('SELECT value FROM settings WHERE key = ?').get(DEVICE_SETTING) as { value: string };
      expect(row.value).toBe('default');
    } finally {
      store.close();
    }
  });
});
