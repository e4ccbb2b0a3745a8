// Entry point of the capture process (see captureProcess.ts): owns PortAudio, lists devices or
// streams 16-bit PCM from one device to the parent over IPC. argv[2] is a JSON CaptureCommand.
import { CaptureCommandSchema, type CaptureEvent, type InputDevice } from './captureMessages';
import { NoInputDeviceError, pickInputDevice } from './devices';
import { CaptureUnavailableError, loadPortAudio, type PortAudio, type PortAudioInput } from './portaudio';
import { errorMessage } from '../../../src-shared/api/errors';
import { exitWithParent } from '../processes';

/** Sends pending beyond this many: pause the stream so a slow parent cannot balloon our memory. */
const MAX_PENDING_SENDS = 64;

let pending = 0;
function send(event: CaptureEvent, done?: () => void): void {
  if (!process.connected) return process.exit(0);
  pending++;
  process.send?.(event, undefined, undefined, () => {
    pending--;
    done?.();
  });
}

function sendThenExit(event: CaptureEvent, code: number): void {
  send(event, () => process.exit(code));
  setTimeout(() => process.exit(code), 2000).unref();
}

function inputDevices(pa: PortAudio): { devices: InputDevice[]; total: number } {
  const all = pa.getDevices();
  const apis = pa.getHostAPIs();
  const defaultId = apis.HostAPIs[apis.defaultHostAPI]?.defaultInput;
  const devices = all
    .filter((d) => d.maxInputChannels > 0)
    .map((d) => ({
      id: d.id,
      name: d.name,
      maxInputChannels: d.maxInputChannels,
      defaultSampleRate: d.defaultSampleRate,
      isDefault: d.id === defaultId,
    }));
  return { devices, total: all.length };
}

/** Opens the device mono if it allows, else stereo (some hardware only opens in pairs). */
function openInput(pa: PortAudio, device: InputDevice, sampleRate: number, chunkFrames: number): { stream: PortAudioInput; channels: number } {
  const attempts = device.maxInputChannels >= 2 ? [1, 2] : [1];
  let lastError: unknown;
  for (const channels of attempts) {
    try {
      const stream = pa.AudioIO({
        inOptions: {
          deviceId: device.id,
          sampleRate,
          channelCount: channels,
          sampleFormat: 16,
          maxQueue: 32,
          highwaterMark: chunkFrames * channels * 2,
          // An overflow (we were late) is worth a log line, not the end of the recording.
          closeOnError: false,
        },
      });
      return { stream, channels };
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`could not open "${device.name}" at ${sampleRate} Hz: ${errorMessage(lastError)}`);
}

async function main(): Promise<void> {
  const parsed = CaptureCommandSchema.safeParse(JSON.parse(process.argv[2] ?? 'null'));
  if (!parsed.success) return sendThenExit({ type: 'error', kind: 'stream', message: `bad capture command: ${parsed.error.message}` }, 2);
  const command = parsed.data;
  exitWithParent();

  let pa: PortAudio;
  try {
    pa = await loadPortAudio();
  } catch (err) {
    const message = err instanceof CaptureUnavailableError ? `${err.message} [${err.detail.split('\n')[0]}]` : String(err);
    return sendThenExit({ type: 'error', kind: 'unavailable', message }, 1);
  }

  const { devices, total } = inputDevices(pa);
  if (command.cmd === 'devices') return sendThenExit({ type: 'devices', devices, total }, 0);

  let device: InputDevice;
  try {
    device = pickInputDevice(devices, { device: command.device, preferred: command.preferred }, total);
  } catch (err) {
    const kind = err instanceof NoInputDeviceError ? 'no-device' : 'open';
    return sendThenExit({ type: 'error', kind, message: (err as Error).message }, 1);
  }
  const sampleRate = command.sampleRate ?? Math.round(device.defaultSampleRate);
  let opened: { stream: PortAudioInput; channels: number };
  try {
    opened = openInput(pa, device, sampleRate, Math.max(64, Math.round(command.chunkSeconds * sampleRate)));
  } catch (err) {
    return sendThenExit({ type: 'error', kind: 'open', message: (err as Error).message }, 1);
  }
  const { stream, channels } = opened;
  const frameBytes = channels * 2;
  const limitBytes = command.seconds === undefined ? Infinity : Math.round(command.seconds * sampleRate) * frameBytes;
  let sentBytes = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    // Exiting closes the device; naudiodon's abort() throws in 2.3.6 (it passes quit() two arguments).
    send({ type: 'end' }, () => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('message', (m: unknown) => {
    if ((m as { type?: string } | null)?.type === 'stop') finish();
  });
  stream.on('error', (err) => {
    if (finished) return;
    finished = true;
    sendThenExit({ type: 'error', kind: 'stream', message: `"${device.name}": ${errorMessage(err)}` }, 1);
  });
  stream.on('data', (chunk: Buffer) => {
    if (finished) return;
    const room = limitBytes - sentBytes;
    const bytes = chunk.length > room ? chunk.subarray(0, room - (room % frameBytes)) : chunk;
    if (bytes.length > 0) {
      sentBytes += bytes.length;
      send({ type: 'data', pcm: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) }, () => {
        if (pending < MAX_PENDING_SENDS / 2 && stream.isPaused()) stream.resume();
      });
      if (pending >= MAX_PENDING_SENDS) stream.pause();
    }
    if (sentBytes >= limitBytes) finish();
  });
  try {
    stream.start();
  } catch (err) {
    return sendThenExit({ type: 'error', kind: 'open', message: `could not start "${device.name}": ${(err as Error).message}` }, 1);
  }
  send({ type: 'started', deviceId: device.id, deviceName: device.name, sampleRate, channels });
}

main().catch((err) => sendThenExit({ type: 'error', kind: 'stream', message: errorMessage(err) }, 1));
