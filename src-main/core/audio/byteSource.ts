import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AudioDecodeError } from '../../../src-shared/audio/decodeError';

// Decoders read through a ByteSource rather than a whole-file buffer, so a 2 GB WAV costs its header and the
// few seconds a feature needs, not 2 GB of memory and a read of every byte.

/** Random access to one file's bytes. */
export interface ByteSource {
  /** Bytes in the file. */
  readonly size: number;
  /** True when the source holds every byte in memory (reading any range allocates nothing). */
  readonly whole: boolean;
  /** Bytes [offset, offset + length), fewer at the end of the file; may be a view on the source's own memory. */
  read(offset: number, length: number): Uint8Array;
  /** Releases the file; reading afterwards is a programming error. */
  close(): void;
}

/**
 * Bytes: files up to this size are read whole on first use, in one read (the common case: a corpus clip of a few
 * hundred KiB, hashed and decoded from one buffer); larger ones are read by range.
 */
export const WHOLE_READ_BYTES = 16 * 2 ** 20;

/** A source over bytes already in memory (uploads, recordings, tests). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    whole: true,
    read: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    close: () => {},
  };
}

function readFailure(path: string, err: unknown): AudioDecodeError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read file (${code ?? String(err)})`;
  return new AudioDecodeError(path, reason);
}

/** Fills `into` from the file at `position`; stops early only at the end of the file. */
function readFully(fd: number, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Opens a file for reading; a missing or unreadable file, or a folder, becomes an AudioDecodeError naming it. Small
 * files are read whole at once (synchronously: fs.promises costs ~0.3 ms per small file against ~0.04 ms, which
 * matters when a worker decodes thousands of clips); large ones stay open and are read by the ranges asked for.
 */
export function openFileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw readFailure(path, err);
  }
  let size: number;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = stat.size;
  } catch (err) {
    closeSync(fd);
    throw readFailure(path, err);
  }
  if (size <= WHOLE_READ_BYTES) {
    try {
      const bytes = new Uint8Array(size);
      // A file that shrank since fstat ends where it now ends, as with readFileSync.
      return memorySource(bytes.subarray(0, readFully(fd, bytes, 0)));
    } catch (err) {
      throw readFailure(path, err);
    } finally {
      closeSync(fd);
    }
  }
  let open = true;
  return {
    size,
    whole: false,
    read: (offset, length) => {
      if (!open) throw new Error(`internal: ${path} read after close`);
      const start = Math.min(offset, size);
      const out = new Uint8Array(Math.min(size, offset + length) - start);
      try {
        return out.subarray(0, readFully(fd, out, start));
      } catch (err) {
        throw readFailure(path, err);
      }
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
