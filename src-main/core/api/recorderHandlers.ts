import { type Handlers } from './dispatch';
import { ApiError } from '../../../src-shared/api/errors';
import type { HandlerContext } from './handlers';
import { record } from '../recorder/capture';
import { classifyRecording } from '../recorder/classifier';
import { saveRecording } from '../recorder/collect';
import { listDevices, rememberDevice, rememberedDevice } from '../recorder/devices';
import { CaptureUnavailableError } from '../recorder/portaudio';
import { loadedModel } from './modelCache';

type RecorderMethods = 'recorder.devices' | 'recorder.record' | 'recorder.classify' | 'recorder.save';

/** base64 of little-endian float32 → samples; the renderer sends PCM this way over both transports. */
export function decodeSamples(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) throw new ApiError('samples: expected base64 of float32 values (byte length not a multiple of 4).', 'invalid');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  for (const v of out) if (!Number.isFinite(v)) throw new ApiError('samples: contains NaN or infinite values.', 'invalid');
  if (out.length === 0) throw new ApiError('samples: the recording is empty.', 'invalid');
  return out;
}

export function encodeSamples(samples: Float32Array): string {
  const buf = Buffer.alloc(samples.length * 4);
  for (let i = 0; i < samples.length; i++) buf.writeFloatLE(samples[i], i * 4);
  return buf.toString('base64');
}

/** Microphone capture (PortAudio, in the main process's child), classification and collection. */
export function recorderHandlers(ctx: HandlerContext): Pick<Handlers, RecorderMethods> {
  const { db } = ctx.store;
  return {
    'recorder.devices': async () => {
      try {
        const remembered = rememberedDevice(db);
        const devices = await listDevices();
        // The remembered device, when present, is what the UI should preselect.
        return devices.map((d) => ({ ...d, isDefault: remembered ? d.name === remembered : d.isDefault }));
      } catch (err) {
        // No PortAudio build: the renderer falls back to the browser's microphone.
        if (err instanceof CaptureUnavailableError) return [];
        throw err;
      }
    },
    'recorder.record': async ({ deviceId, seconds }) => {
      const rec = await record({ seconds, ...(deviceId !== undefined ? { device: deviceId } : { preferred: rememberedDevice(db) ?? undefined }) });
      rememberDevice(db, rec.deviceName);
      return { sampleRate: rec.sampleRate, samples: encodeSamples(rec.samples), deviceName: rec.deviceName, truncated: Boolean(rec.truncated), reason: rec.reason };
    },
    'recorder.classify': async ({ modelId, sampleRate, samples }) => {
      const model = await loadedModel(ctx, modelId);
      return classifyRecording(model, decodeSamples(samples), sampleRate);
    },
    'recorder.save': async ({ folder, label, speaker, sampleRate, samples }) => {
      const saved = await saveRecording({ store: ctx.store, datasetFolder: folder, label, speaker, samples: decodeSamples(samples), sampleRate });
      return { file: saved.file, dataset_id: saved.dataset_id };
    },
  };
}
