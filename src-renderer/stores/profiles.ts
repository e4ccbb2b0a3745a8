/** Speaker profiles (enrolment) and the one the Recorder classifies with. */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { EnrolResult, ProfileSummary } from '../../src-shared/api/contract';
import { float32ToBase64 } from '../../src-shared/audio/pcmBase64';
import { api } from '../api/client';
import { useToasts } from './toasts';

const ACTIVE_KEY = 'ser.recorder.profile';

export const useProfiles = defineStore('profiles', () => {
  const toasts = useToasts();
  const list = ref<ProfileSummary[]>([]);
  const loaded = ref(false);
  /** Utterances a profile needs before it is used: the core's figure, reported with every enrolment (8 until one is). */
  const minUtterances = ref(8);
  const stored = Number(localStorage.getItem(ACTIVE_KEY));
  /** The chosen profile; null: none (the model's training statistics). */
  const activeId = ref<number | null>(Number.isInteger(stored) && stored > 0 ? stored : null);
  const active = computed(() => list.value.find((p) => p.id === activeId.value) ?? null);
  /** The active profile once it holds enough utterances to be used; classification then passes its id. */
  const usable = computed(() => (active.value && active.value.utterances >= minUtterances.value ? active.value : null));
  watch(activeId, (id) => (id === null ? localStorage.removeItem(ACTIVE_KEY) : localStorage.setItem(ACTIVE_KEY, String(id))));

  async function refresh(): Promise<void> {
    const r = await toasts.guard(api.call('profiles.list', {}), 'Loading speaker profiles');
    if (!r) return;
    list.value = r;
    loaded.value = true;
    // A remembered profile deleted elsewhere (another window, the CLI) is no longer chosen.
    if (activeId.value !== null && !r.some((p) => p.id === activeId.value)) activeId.value = null;
  }

  function merge(p: ProfileSummary): void {
    const i = list.value.findIndex((x) => x.id === p.id);
    list.value = i < 0 ? [...list.value, p] : list.value.map((x) => (x.id === p.id ? p : x));
  }
  function took(r: EnrolResult): EnrolResult {
    merge(r.profile);
    minUtterances.value = r.minUtterances;
    activeId.value = r.profile.id;
    return r;
  }

  /** Adds one recorded take to the profile `name` (created if new); rejects with the core's reason. */
  async function enrolTake(name: string, samples: Float32Array, sampleRate: number): Promise<EnrolResult> {
    return took(await api.call('profiles.enrol', { name, sampleRate, samples: float32ToBase64(samples) }));
  }
  /** Adds audio files on the core's machine; the result lists each file that could not be added. */
  async function enrolFiles(name: string, paths: string[]): Promise<EnrolResult> {
    return took(await api.call('profiles.enrol', { name, paths }));
  }
  async function rename(id: number, name: string): Promise<void> {
    merge(await api.call('profiles.rename', { id, name }));
  }
  async function remove(id: number): Promise<void> {
    await api.call('profiles.delete', { id });
    list.value = list.value.filter((p) => p.id !== id);
    if (activeId.value === id) activeId.value = null;
  }

  return { list, loaded, minUtterances, activeId, active, usable, refresh, enrolTake, enrolFiles, rename, remove };
});
