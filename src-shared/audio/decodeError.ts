/** A file that could not be decoded as audio: which file, and why, in words a user can act on. */
export class AudioDecodeError extends Error {
  override name = 'AudioDecodeError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}
