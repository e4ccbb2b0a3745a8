/** One shared player for dataset files: fetches `files.audio` once per file and plays it from a Blob URL. */
import { ref } from 'vue';
import { api } from '../api/client';
import { base64ToBytes } from '../../src-shared/audio/pcmBase64';

const MAX_CACHED = 24;
const urls = new Map<string, string>();
let player: HTMLAudioElement | null = null;

/** Key of what is playing now (`file:<id>` or `blob:<name>`), for ▶/■ buttons. */
export const playing = ref<string | null>(null);

/** A dataset file by id, or any audio file by path. */
export type AudioSource = { fileId: number } | { path: string };

export const sourceKey = (src: AudioSource) => ('fileId' in src ? `file:${src.fileId}` : `path:${src.path}`);

async function urlForFile(src: AudioSource): Promise<string> {
  const key = sourceKey(src);
  const cached = urls.get(key);
  if (cached) return cached;
  const { mime, base64 } = await api.call('files.audio', src);
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

/** Plays a file; a second call for the same file stops it. Rejects with a readable message. */
export async function toggleFile(src: AudioSource): Promise<void> {
  const key = sourceKey(src);
  if (playing.value === key) return stopPlayback();
  await playUrl(key, await urlForFile(src));
}

/** Plays an in-memory recording (a WAV Blob URL the caller owns). */
export async function toggleUrl(key: string, url: string): Promise<void> {
  if (playing.value === key) return stopPlayback();
  await playUrl(key, url);
}
