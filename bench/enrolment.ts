// What enrolment buys in live use: each test speaker of a speaker-independent study's folds talks to the live
// classifier (their utterances streamed one after another, as from a microphone, cut by the live segmenter), once
// without a profile (each utterance adapted to itself only) and once enrolled from 8 of their other utterances.
// Accuracy per speaker and overall, with the offline figure (all of the speaker's files at once, what `ser evaluate`
// does) for reference. The models are the study's own, so no speaker here was seen in training.
// Usage: npm run bench -- enrolment <DB> <STUDY_ID> [SEED=1] [ENROL=8]
//   e.g. after `ser study run --dataset <RAVDESS 01-16> --recipe logreg --adapted --folds 4 --seeds 1 --db <DB>`
import { mulberry32 } from '../src-main/core/mulberry32';
import { loadAudio } from '../src-main/core/audio/load';
import { openStore } from '../src-main/core/store/db';
import { getFile } from '../src-main/core/store/datasets';
import { getRunDetail } from '../src-main/core/store/runQueries';
import { getModel } from '../src-main/core/store/runs';
import { getStudy, listCells } from '../src-main/core/store/studies';
import { modelClassifier } from '../src-main/core/recorder/classifier';
import { asLiveUtterances } from '../src-main/core/profiles/speakerProfiles';
import { activateBackend } from '../src-main/core/training/pipeline';
import { isEnsemble, loadPredictor, predictPaths, type LoadedModel, type Predictor } from '../src-main/core/training/predict';
import { fitModelSpeakerStats, type ModelSpeakerStats } from '../src-main/core/training/speakerProfile';
import { liveSegmentClassify } from '../src-shared/live/liveSegments';
import { arraySource } from '../src-shared/live/liveWindow';
import { summarize } from '../src-shared/studies/statistics';

const [dbPath, studyArg, seedArg, enrolArg] = process.argv.slice(2);
if (!dbPath || !studyArg) throw new Error('usage: npm run bench -- enrolment <DB> <STUDY_ID> [SEED=1] [ENROL=8]');
const ENROL = Number(enrolArg ?? 8);
/** Room tone between utterances beyond each file's own margins, and before the first (the segmenter calibrates on it). */
const GAP_SECONDS = 0.5;
const LEAD_SECONDS = 1;

const store = openStore(dbPath);
const study = getStudy(store.db, Number(studyArg));
if (!study) throw new Error(`study ${studyArg} does not exist in ${dbPath}`);
const seed = Number(seedArg ?? 1);
const cells = listCells(store.db, study.id).filter((c) => c.seed === seed && c.status === 'completed' && c.runId !== null);
if (cells.length === 0) throw new Error(`study ${study.id} has no completed cell with seed ${seed}`);
await activateBackend('auto');

interface Utterance {
  file: string;
  label: string;
}

/** A speaker's session: low noise, then each file back to back with low noise between; where each file lies. */
async function session(files: Utterance[], rate: number, rand: () => number) {
  const noise = (n: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * 3e-4);
  const parts: Float32Array[] = [noise(LEAD_SECONDS * rate)];
  const spans: { start: number; end: number; label: string }[] = [];
  let t = LEAD_SECONDS;
  for (const f of files) {
    const a = await loadAudio(f.file, { sampleRate: rate });
    parts.push(a.samples, noise(GAP_SECONDS * rate));
    spans.push({ start: t, end: t + a.samples.length / rate, label: f.label });
    t += a.samples.length / rate + GAP_SECONDS;
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { samples: out, spans };
}

/** Live decisions over a session, each scored against the file it overlaps most; files with no decision count as wrong. */
async function live(
  model: Predictor,
  samples: Float32Array,
  rate: number,
  spans: { start: number; end: number; label: string }[],
  speaker?: (m: LoadedModel) => Promise<ModelSpeakerStats>,
) {
  const decided = new Array<string | null>(spans.length).fill(null);
  let extra = 0;
  let refused = false;
  const base = modelClassifier(model, { speaker });
  await liveSegmentClassify({
    // A model that cannot classify a lone utterance (speaker-normalised functionals without a profile) decides nothing.
    classifier: {
      ...base,
      classify: async (x, r) => {
        try {
          return await base.classify(x, r);
        } catch {
          refused = true;
          return { label: '', probabilities: {} };
        }
      },
    },
    source: arraySource(samples, rate),
    onSegment: (s) => {
      let best = -1;
      let bestOverlap = 0;
      spans.forEach((span, i) => {
        const overlap = Math.min(span.end, s.end) - Math.max(span.start, s.start);
        if (overlap > bestOverlap) [best, bestOverlap] = [i, overlap];
      });
      if (best < 0 || decided[best] !== null) extra++;
      else decided[best] = s.label;
    },
  });
  const accuracy = decided.filter((d, i) => d === spans[i].label).length / spans.length;
  return { accuracy: refused ? null : accuracy, found: decided.filter((d) => d !== null).length, extra };
}

interface Row {
  speaker: string;
  n: number;
  /** null: the model refuses lone utterances. */
  live: number | null;
  liveEnrolled: number;
  filesEnrolled: number;
  filesOneSpeaker: number;
}
const rows: Row[] = [];
const pct = (v: number | null) => (v === null ? 'refused' : `${(v * 100).toFixed(1)} %`);
const t0 = performance.now();
for (const cell of cells.sort((a, b) => a.fold - b.fold)) {
  const run = getRunDetail(store.db, cell.runId!)!;
  const model = await loadPredictor(getModel(store.db, run.modelId!)!.path);
  const bySpeaker = new Map<string, Utterance[]>();
  for (const p of run.evaluation!.predictions) {
    const speaker = getFile(store.db, p.fileId!)?.speaker ?? '?';
    bySpeaker.set(speaker, [...(bySpeaker.get(speaker) ?? []), { file: p.file, label: p.label }]);
  }
  for (const [speaker, files] of [...bySpeaker].sort()) {
    const rand = mulberry32(seed * 1000 + Number(speaker.replace(/\D/g, '') || 0));
    const order = files
      .map((f) => ({ f, k: rand() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.f);
    const enrol = order.slice(0, ENROL);
    const rest = order.slice(ENROL);
    const rate = model.sampleRate;
    const { samples, spans } = await session(rest, rate, rand);
    // The profile, as `ser enrol` would compute it for each model (members of an ensemble each their own): from the
    // whole files for whole-file prediction, from the files cut by the segmenter for live utterances (profileSpeaker's
    // `segmented`).
    const enrolled = await Promise.all(enrol.map((u) => loadAudio(u.file, { sampleRate: rate })));
    const cut = enrolled.flatMap((a) => asLiveUtterances(a));
    const whole = new Map<LoadedModel, ModelSpeakerStats>();
    const segmented = new Map<LoadedModel, ModelSpeakerStats>();
    for (const m of isEnsemble(model) ? model.members : [model]) {
      whole.set(m, await fitModelSpeakerStats(m, enrolled));
      segmented.set(m, await fitModelSpeakerStats(m, cut));
    }
    const speakerSource = (m: LoadedModel) => Promise.resolve(whole.get(m)!);
    const segmentedSource = (m: LoadedModel) => Promise.resolve(segmented.get(m)!);
    const without = await live(model, samples, rate, spans);
    const adapted = await live(model, samples, rate, spans, segmentedSource);
    const accuracyOf = (ps: Awaited<ReturnType<typeof predictPaths>>) =>
      ps.filter((p, i) => 'label' in p && p.label === rest[i].label).length / rest.length;
    const paths = rest.map((u) => u.file);
    const row: Row = {
      speaker,
      n: rest.length,
      live: without.accuracy,
      liveEnrolled: adapted.accuracy!,
      // The same profile on the whole files, no segmentation: what the profile's size costs apart from live cutting.
      filesEnrolled: accuracyOf(await predictPaths(model, paths, { speaker: speakerSource })),
      filesOneSpeaker: accuracyOf(await predictPaths(model, paths, { oneSpeaker: true })),
    };
    rows.push(row);
    console.log(
      `fold ${cell.fold} speaker ${speaker}: ${rest.length} utterances, live found ${adapted.found} (+${adapted.extra} extra); live ${pct(row.live)}, live enrolled (${ENROL}) ${pct(row.liveEnrolled)}; whole files enrolled ${pct(row.filesEnrolled)}, one-speaker ${pct(row.filesOneSpeaker)}`,
    );
  }
}

const fmt = (xs: (number | null)[]) => {
  if (xs.some((x) => x === null)) return 'refused';
  const s = summarize(xs as number[]);
  return `${(s.mean * 100).toFixed(1)} % [${(s.ci95![0] * 100).toFixed(1)}, ${(s.ci95![1] * 100).toFixed(1)}]`;
};
console.log(
  `\nstudy ${study.id} (${study.name ?? 'unnamed'}), seed ${seed}: ${rows.length} test speakers, ${rows.reduce((n, r) => n + r.n, 0)} utterances each way, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
console.log(
  `| speaker | utterances | live, no profile | live, enrolled (${ENROL}) | whole files, enrolled (${ENROL}) | whole files, one-speaker (all) |`,
);
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.speaker} | ${r.n} | ${pct(r.live)} | ${pct(r.liveEnrolled)} | ${pct(r.filesEnrolled)} | ${pct(r.filesOneSpeaker)} |`);
console.log(
  `| mean over speakers (95 % CI) | | ${fmt(rows.map((r) => r.live))} | ${fmt(rows.map((r) => r.liveEnrolled))} | ${fmt(rows.map((r) => r.filesEnrolled))} | ${fmt(rows.map((r) => r.filesOneSpeaker))} |`,
);
store.close();
