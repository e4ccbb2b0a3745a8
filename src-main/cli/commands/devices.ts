import type { Command } from 'commander';
import { listDevices, rememberedDevice, type InputDevice } from '../../core/recorder/devices';
import { runAction, withCommonOptions, type CommonOptions } from '../io';

function describe(devices: InputDevice[], remembered: string | null): string {
  if (devices.length === 0) return 'no audio input devices found (connect a microphone; on Linux check that ALSA sees it: arecord -l)';
  const lines = devices.map((d) => {
    const marks = [d.isDefault ? 'default' : '', d.name === remembered ? 'last used' : ''].filter(Boolean).join(', ');
    return `${String(d.id).padStart(3)}  ${d.name}  (${d.maxInputChannels} ch, ${d.defaultSampleRate} Hz)${marks ? `  [${marks}]` : ''}`;
  });
  return lines.join('\n');
}

/** `ser devices`: list audio input devices, the default and the last used one marked. */
export function register(program: Command): void {
  const cmd = program.command('devices').description('list audio input devices (PortAudio)');
  withCommonOptions(cmd).action(async (opts: CommonOptions) => {
    let remembered: string | null = null;
    await runAction(
      opts,
      async (ctx) => {
        remembered = rememberedDevice(ctx.openStore().db);
        return listDevices();
      },
      (devices) => describe(devices, remembered),
    );
  });
}
