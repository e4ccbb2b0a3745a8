import { Redis } from 'ioredis';
import { redisOptions } from './cellJob';

/** BullMQ's connection options for a redis:// URL (blocking commands need maxRetriesPerRequest null). */
export function bullConnection(url: string) {
  return { ...redisOptions(url), maxRetriesPerRequest: null };
}

/**
 * Fails fast, with the address and cause, when Redis cannot be reached: ioredis would otherwise retry forever and
 * a study would hang instead of saying why.
 */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis({
    ...redisOptions(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND…) says more than connect()'s "Connection is closed".
  let socketError: NodeJS.ErrnoException | null = null;
  client.on('error', (err: NodeJS.ErrnoException) => (socketError ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const first = (socketError ?? err) as NodeJS.ErrnoException;
    const cause = first.code ?? first.message;
    throw new Error(`Cannot reach Redis at ${url} (${cause}). Start redis-server there, or leave --redis out to use the local queue.`);
  } finally {
    client.disconnect();
  }
}
