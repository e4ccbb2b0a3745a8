import { type Handlers } from './dispatch';
import { ApiError, errorMessage } from '../../../src-shared/api/errors';
import { base64ToFloat32, float32ToBase64 } from '../../../src-shared/audio/pcmBase64';
import type { HandlerContext } from './handlers';
import { record } from '../recorder/capture';
import { classifyRecording } from '../recorder/classifier';
import { saveRecording } from '../recorder/collect';
import { listDevices, rememberDevice, rememberedDevice } from '../recorder/devices';
import { CaptureUnavailableError } from '../recorder/portaudio';
import { CaptureStreams } from '../recorder/streams';
import { loadedModel } from './modelCache';
import { profileById, profileSpeaker } from '../profiles/speakerProfiles';
import type { SpeakerStatsSource } from '../training/predict';

type RecorderMethods = 'recorder.devices' | 'recorder.record' | 'recorder.start' | 'recorder.stop' | 'recorder.classify' | 'recorder.save';

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
  const streams = new CaptureStreams(ctx.jobs.emit, ctx.shutdown, ctx.clients);
  /** The device asked for, else the one used last. */
  const deviceChoice = (deviceId: number | undefined) =>
    deviceId !== undefined ? { device: deviceId } : { preferred: rememberedDevice(db) ?? undefined };
  // Live mode classifies every half second: a profile's statistics are read (or computed) once per model until the
  // profile changes (its updatedAt).
  const speakers = new Map<string, SpeakerStatsSource>();
  const speakerOf = (profileId: number, segmented: boolean): SpeakerStatsSource => {
    let profile;
    try {
      profile = profileById(ctx.store, profileId);
    } catch (err) {
      throw new ApiError(errorMessage(err), 'not_found');
    }
    const key = `${profile.id}@${profile.updatedAt}${segmented ? '#segmented' : ''}`;
    let source = speakers.get(key);
    if (!source) {
      try {
        source = profileSpeaker(ctx.store, profile.id, { segmented });
      } catch (err) {
        throw new ApiError(errorMessage(err), 'invalid');
      }
      for (const k of speakers.keys()) if (k.startsWith(`${profile.id}@`) && !k.startsWith(`${profile.id}@${profile.updatedAt}`)) speakers.delete(k);
      speakers.set(key, source);
    }
    return source;
  };
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
      const rec = await record({ seconds, ...deviceChoice(deviceId) });
      rememberDevice(db, rec.deviceName);
      return {
        sampleRate: rec.sampleRate,
        samples: float32ToBase64(rec.samples),
        deviceName: rec.deviceName,
        truncated: Boolean(rec.truncated),
        reason: rec.reason,
      };
    },
    'recorder.start': async ({ deviceId, maxSeconds, sampleRate }) => {
      const { streamId, info } = await streams.start({ maxSeconds, captureRate: sampleRate, ...deviceChoice(deviceId) });
      rememberDevice(db, info.deviceName);
      return { streamId, sampleRate: info.sampleRate, channels: info.channels, deviceName: info.deviceName };
    },
    'recorder.stop': ({ streamId }) => streams.stop(streamId),
    'recorder.classify': async ({ modelId, profileId, segmented, sampleRate, samples }) => {
      const model = await loadedModel(ctx, modelId);
      return classifyRecording(
        model,
        decodeSamples(samples),
        sampleRate,
        profileId === undefined ? undefined : speakerOf(profileId, Boolean(segmented)),
      );
    },
    'recorder.save': async ({ folder, label, speaker, sampleRate, samples }) => {
      const saved = await saveRecording({ store: ctx.store, datasetFolder: folder, label, speaker, samples: decodeSamples(samples), sampleRate });
      return { file: saved.file, datasetId: saved.datasetId };
    },
  };
}
