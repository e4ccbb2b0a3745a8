import { type Handlers } from './dispatch';
import { ApiError, errorMessage } from '../../../src-shared/api/errors';
import { base64ToFloat32, float32ToBase64 } from '../../../src-shared/audio/pcmBase64';
import type { HandlerContext } from './handlers';
import { record } from '../recorder/capture';
import { classifyRecording } from '../recorder/classifier';
import { saveRecording } from '../recorder/collect';
import { listDevices, rememberDevice, rememberedDevice } from '../recorder/devices';
import { CaptureUnavailableError } from '../recorder/portaudio';
import { loadedModel } from './modelCache';

type RecorderMethods = 'recorder.devices' | 'recorder.record' | 'recorder.classify' | 'recorder.save';

/** base64 of little-endian float32 → samples, refused with a reason when malformed, empty or not finite. */
export function decodeSamples(base64: string): Float32Array {
  let out: Float32Array;
  try {
    out = base64ToFloat32(base64);
  } catch (err) {
    throw new ApiError(`samples: ${errorMessage(err)}.`, 'invalid');
  }
  for (const v of out) if (!Number.isFinite(v)) throw new ApiError('samples: contains NaN or infinite values.', 'invalid');
  if (out.length === 0) throw new ApiError('samples: the recording is empty.', 'invalid');
  return out;
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
      return {
        sampleRate: rec.sampleRate,
        samples: float32ToBase64(rec.samples),
        deviceName: rec.deviceName,
        truncated: Boolean(rec.truncated),
        reason: rec.reason,
      };
    },
    'recorder.classify': async ({ modelId, sampleRate, samples }) => {
      const model = await loadedModel(ctx, modelId);
      return classifyRecording(model, decodeSamples(samples), sampleRate);
    },
    'recorder.save': async ({ folder, label, speaker, sampleRate, samples }) => {
      const saved = await saveRecording({ store: ctx.store, datasetFolder: folder, label, speaker, samples: decodeSamples(samples), sampleRate });
      return { file: saved.file, datasetId: saved.datasetId };
    },
  };
}
