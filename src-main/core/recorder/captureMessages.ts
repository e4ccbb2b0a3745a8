import { z } from 'zod';

// The capture process (captureChild.ts) and the app talk in these messages. The app validates
// everything it receives: the child runs native code and may die or misbehave.

/** An input device as the recorder presents it. */
export const InputDeviceSchema = z.object({
  /** PortAudio device index; valid until devices are plugged or unplugged. */
  id: z.number().int().nonnegative(),
  name: z.string(),
  maxInputChannels: z.number().int().positive(),
  /** Hz */
  defaultSampleRate: z.number().positive(),
  isDefault: z.boolean(),
});
export type InputDevice = z.infer<typeof InputDeviceSchema>;

/** What the capture process is asked to do (passed as JSON in argv). */
export const CaptureCommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('devices') }),
  z.object({
    cmd: z.literal('record'),
    /** Device id or name; omitted = `preferred` if present, else the system default. */
    device: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    preferred: z.string().min(1).optional(),
    /** Hz asked of the device; omitted = its default rate. */
    sampleRate: z.number().int().positive().optional(),
    /** Stop after this many seconds of audio; omitted = until told to stop. */
    seconds: z.number().positive().optional(),
    /** Seconds of audio per data message (sets the level-meter rate). */
    chunkSeconds: z.number().positive().max(1),
  }),
]);
export type CaptureCommand = z.infer<typeof CaptureCommandSchema>;

/** Messages from the capture process. */
export const CaptureEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('devices'), devices: z.array(InputDeviceSchema), total: z.number().int().nonnegative() }),
  z.object({
    type: z.literal('started'),
    deviceId: z.number().int().nonnegative(),
    deviceName: z.string(),
    /** Hz */
    sampleRate: z.number().int().positive(),
    channels: z.number().int().positive(),
  }),
  /** Interleaved signed 16-bit little-endian PCM. */
  z.object({ type: z.literal('data'), pcm: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'PCM bytes expected') }),
  /** The frame limit was reached or a stop was asked for; no data follows. */
  z.object({ type: z.literal('end') }),
  z.object({ type: z.literal('error'), message: z.string(), kind: z.enum(['unavailable', 'no-device', 'open', 'stream']) }),
]);
export type CaptureEvent = z.infer<typeof CaptureEventSchema>;

/** Messages to the capture process. */
export type CaptureControl = { type: 'stop' };
