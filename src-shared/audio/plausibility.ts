// What audio the workbench agrees to decode, in one place: the WAV and library decoders, the import and the
// recorder all ask here, so a header that says 1 Hz or 65535 channels is refused the same way everywhere.
// A damaged header is the usual cause; a genuine file outside these bounds is not speech we can use either.

/** Hz: the lowest sample rate accepted (telephone speech is 8 kHz; below 4 kHz nothing of a voice is left). */
export const MIN_SAMPLE_RATE_HZ = 4000;
/** Hz: the highest sample rate accepted (the top rate of professional converters). */
export const MAX_SAMPLE_RATE_HZ = 384_000;
/** The most channels accepted: a 32-track field recorder; 3rd-order ambisonics needs 16. */
export const MAX_CHANNELS = 32;
/** Seconds: the longest file an import accepts unless told otherwise (a corpus utterance is seconds long). */
export const DEFAULT_MAX_DURATION_SECONDS = 600;
/**
 * Bytes: the most memory one file's decode may take (the bytes read, the mono samples and the resampled samples, all
 * counted before anything is allocated). Decoded whole, that is ~20 min of 48 kHz stereo resampled to 16 kHz, or
 * ~90 min of 16 kHz mono; a fixed window reads only its seconds of a file of any length. Not counted: the resampling
 * filter, at most ~120 MB for the odd rates near 384 kHz (see resample.ts).
 */
export const DECODE_MEMORY_LIMIT_BYTES = 512 * 2 ** 20;
/**
 * Bytes: the largest compressed file (FLAC, MP3, OGG, M4A) decoded. The decoder has no partial mode and expands
 * up to ~20x (128 kbit/s MP3 to float32 stereo), so the file size is the only bound known before decoding.
 */
export const MAX_COMPRESSED_FILE_BYTES = 32 * 2 ** 20;

/** A number as a person reads it: 1,326,629. */
function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** Seconds as "42.0 s", "12.5 min" or "15.6 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Bytes as "812 KiB", "1.5 GiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 2 ** 20) return `${Math.ceil(bytes / 1024)} KiB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** Why a sample rate (Hz) and channel count cannot be real audio we decode, or null when they can. */
export function formatProblem(sampleRate: number, channels: number): string | null {
  if (!(sampleRate >= MIN_SAMPLE_RATE_HZ && sampleRate <= MAX_SAMPLE_RATE_HZ)) {
    return (
      `sample rate ${grouped(sampleRate)} Hz is outside the plausible range ` +
      `${grouped(MIN_SAMPLE_RATE_HZ)}-${grouped(MAX_SAMPLE_RATE_HZ)} Hz (a damaged header?)`
    );
  }
  if (!(channels >= 1 && channels <= MAX_CHANNELS)) {
    return `${grouped(channels)} channels is outside the plausible range 1-${MAX_CHANNELS} (a damaged header?)`;
  }
  return null;
}

/** Why audio of `seconds` is too long for a limit of `maxSeconds`, or null when it fits. */
export function durationProblem(seconds: number, maxSeconds: number): string | null {
  if (seconds <= maxSeconds) return null;
  return `${formatDuration(seconds)} long, over the limit of ${formatDuration(maxSeconds)} per file`;
}

/** Why decoding that needs `bytes` of memory is refused, or null under the ceiling; `what` says what the bytes are for. */
export function memoryProblem(bytes: number, what: string): string | null {
  if (bytes <= DECODE_MEMORY_LIMIT_BYTES) return null;
  return `decoding would need ${formatBytes(bytes)} of memory (${what}), over the ${formatBytes(DECODE_MEMORY_LIMIT_BYTES)} limit per file; cut it into shorter files`;
}

/** Why a compressed file of `bytes` is too big to decode, or null when it is not. */
export function compressedSizeProblem(bytes: number, format: string): string | null {
  if (bytes <= MAX_COMPRESSED_FILE_BYTES) return null;
  return (
    `${format.toUpperCase()} file of ${formatBytes(bytes)} is over the ${formatBytes(MAX_COMPRESSED_FILE_BYTES)} limit for compressed ` +
    `files (it would decode to several times that); convert it to WAV, which is read in part`
  );
}
