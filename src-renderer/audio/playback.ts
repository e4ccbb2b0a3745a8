/** One shared player for dataset files: fetches `files.audio` once per file and plays it from a Blob URL. */
import { ref } from 'vue';
import { api } from '../api/client';
import { base64ToBytes } from './pcm';

const MAX_CACHED = 24;
const urls = new Map<string, string>();
let player: HTMLAudioElement | null = null;

/** Key of what is playing now (`file:<id>` or `blob:<name>`), for ▶/■ buttons. */
export const playing = ref<string | null>(null);

async function urlForFile(fileId: number): Promise<string> {
  const key = `file:${fileId}`;
  const cached = urls.get(key);
  if (cached) return cached;
  const { mime, base64 } = await api.call('files.audio', { fileId });
  const url = URL.createObjectURL(new Blob([base64ToBytes(base64) as BlobPart], { type: mime }));
  urls.set(key, url);
  if (urls.size > MAX_CACHED) {
    const [oldKey, oldUrl] = urls.entries().next().value as [string, string];
    URL.revokeObjectURL(oldUrl);
    urls.delete(oldKey);
  }
  return url;
}

/** Stops whatever plays. */
export function stopPlayback(): void {
  player?.pause();
  playing.value = null;
}

async function playUrl(key: string, url: string): Promise<void> {
  stopPlayback();
  player = new Audio(url);
  playing.value = key;
  player.onended = () => {
    if (playing.value === key) playing.value = null;
  };
  await player.play();
}

/** Plays a dataset file; a second call for the same file stops it. Rejects with a readable message. */
export async function toggleFile(fileId: number): Promise<void> {
  const key = `file:${fileId}`;
  if (playing.value === key) return stopPlayback();
  await playUrl(key, await urlForFile(fileId));
}

/** Plays an in-memory recording (a WAV Blob URL the caller owns). */
export async function toggleUrl(key: string, url: string): Promise<void> {
  if (playing.value === key) return stopPlayback();
  await playUrl(key, url);
}
