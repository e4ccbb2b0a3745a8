/**
 * Mono PCM as the API carries it over both transports: base64 of little-endian float32 (compact, exact, and the
 * same bytes whichever side encodes). atob/btoa exist in Node, browsers and the preload alike.
 */

/** Bytes as base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  // Chunked so String.fromCharCode never gets more arguments than the engine allows.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Base64 as bytes; throws on characters outside the base64 alphabet. */
export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Base64 of the samples as little-endian float32. */
export function float32ToBase64(samples: Float32Array): string {
  const bytes = new Uint8Array(samples.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setFloat32(i * 4, samples[i], true);
  return bytesToBase64(bytes);
}

/** Samples from base64 little-endian float32; a trailing partial value is an error, not dropped. */
export function base64ToFloat32(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`expected base64 of float32 values (${bytes.byteLength} bytes is not a multiple of 4)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
