import type { EvaluationReport } from '../../../src-shared/metrics';
import { parseRunConfig, type RunConfig } from '../../../src-shared/config/run';
import { makeRunSplit } from '../datasets/corpusSplit';
import type { Store } from '../store/db';
import { getDataset } from '../store/datasets';
import { getRunDetail, runStudyId } from '../store/runQueries';
import { studyReport } from '../studies/report';
import { getStudy } from '../store/studies';
import { runDatasetIds, runFiles } from '../training/data';
import { readModelDir, type SavedModelMeta } from '../training/savedModel';
import { isEnsembleDir, loadEnsemble } from '../training/predict';
import type { EnsembleMeta } from '../../../src-shared/ensemble';

/** What a model that leaves the lab carries with it: where it came from, how good it is, and what it assumes. */
export interface ModelCard {
  model: { name: string; kind: string; preset: string; labels: string[]; parameters: number | null; createdAt: string };
  training: { runId: number | null; backend: string | null; seconds: number | null; epochs: number | null; found: boolean };
  data: {
    datasets: { id: number; name: string; corpus: string | null }[];
    split: unknown;
    speakers: { train: string[]; val: string[]; test: string[] };
    files: { train: number; val: number; test: number };
    /** Set when the split recomputed from the config is not the one the stored test evaluation used (data changed). */
    warning: string | null;
  } | null;
  config: Record<string, unknown>;
  adaptation: { speakerNormalization: boolean; speakerAdaptiveBatchNorm: boolean; assumes: string };
  /** Speeds of the test-time copies every prediction averages over (RunConfig.testTimeSpeedPerturbation); null without. */
  testTimeSpeeds: number[] | null;
  test: { accuracy: number; uar: number; macroF1: number; n: number; perClass: EvaluationReport['perClass'] } | null;
  study: { id: number; name: string | null; folds: number; seeds: number[]; uar: { mean: number; ci95: [number, number] }; runs: number } | null;
  /** The most frequent confusions on the test split: share of the true class's files predicted as another class. */
  confusions: { true: string; predicted: string; share: number; count: number }[];
  export: { format: 'onnx'; opset: number; maxAbsDiff: number } | null;
}

const sortSpeakers = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/**
 * Builds a model's card from its saved meta and, where `store` holds the run that trained it, the run's record:
 * the split is recomputed from the stored config exactly as training made it, and a study's mean and CI come with
 * models trained as one of its cells.
 */
export function buildModelCard(meta: SavedModelMeta, store: Store | null, exported: ModelCard['export']): ModelCard {
  const adaptation = {
    speakerNormalization: Boolean(meta.preprocessing.speakerNormalization),
    speakerAdaptiveBatchNorm: Boolean(meta.preprocessing.speakerAdaptiveBatchNorm),
  };
  const assumes = [
    adaptation.speakerNormalization &&
      "speaker normalisation: each speaker's features are standardised with that speaker's own statistics, so prediction needs several unlabelled utterances per speaker (a lone recording is its own, weaker, reference)",
    adaptation.speakerAdaptiveBatchNorm &&
      "adaptive batch norm: batch-norm statistics are re-estimated on each speaker's own files at prediction time (not in an exported ONNX graph)",
  ].filter(Boolean) as string[];
  const detail = store && meta.runId !== null ? getRunDetail(store.db, meta.runId) : null;
  const card: ModelCard = {
    model: { name: meta.name, kind: meta.kind, preset: meta.preset, labels: meta.labels, parameters: meta.params, createdAt: meta.createdAt },
    training: {
      runId: meta.runId,
      backend: meta.backend,
      seconds: detail?.seconds ?? null,
      epochs: detail ? detail.epochsData.length : null,
      found: Boolean(detail),
    },
    data: null,
    config: meta.trainingConfig,
    adaptation: { ...adaptation, assumes: assumes.join('; ') || 'none: the model predicts each recording on its own with training statistics' },
    testTimeSpeeds: meta.preprocessing.testTimeSpeeds ?? null,
    test: null,
    study: null,
    confusions: [],
    export: exported,
  };
  if (store && detail) {
    let config: RunConfig | null = null;
    try {
      config = parseRunConfig(meta.trainingConfig);
    } catch {
      // an old or damaged config: the card says so and shows it as stored
    }
    if (config) {
      const files = runFiles(store, config);
      const split = makeRunSplit(files, config.split);
      const speakerOf = new Map(files.map((f) => [f.id, f.speaker ?? `file ${f.id}`]));
      const speakers = (ids: number[]) => sortSpeakers(new Set(ids.map((id) => speakerOf.get(id)!)));
      card.data = {
        datasets: runDatasetIds(config).map((id) => {
          const d = getDataset(store.db, id);
          return { id, name: d?.name ?? `dataset ${id} (deleted)`, corpus: d?.corpus ?? null };
        }),
        split: config.split,
        speakers: { train: speakers(split.train), val: speakers(split.val), test: speakers(split.test) },
        files: { train: split.train.length, val: split.val.length, test: split.test.length },
        warning: null,
      };
      const evaluated = detail.evaluation?.predictions.map((p) => p.fileId);
      const test = new Set(split.test);
      if (evaluated && (evaluated.length !== test.size || evaluated.some((id) => id === undefined || !test.has(id)))) {
        card.data.warning =
          "the split recomputed from the run's config differs from the files its test evaluation used: the dataset changed after training, so the speaker lists may not be the ones trained on";
      }
    }
    const e = detail.evaluation;
    if (e) {
      card.test = { accuracy: e.accuracy, uar: e.uar, macroF1: e.macroF1, n: e.n, perClass: e.perClass };
      const pairs: ModelCard['confusions'] = [];
      e.labels.forEach((t, i) =>
        e.labels.forEach((p, j) => {
          if (i !== j && e.confusion[i][j] > 0) pairs.push({ true: t, predicted: p, share: e.confusionNormalized[i][j], count: e.confusion[i][j] });
        }),
      );
      card.confusions = pairs.sort((a, b) => b.share - a.share).slice(0, 3);
    }
    const studyId = runStudyId(store.db, detail.id);
    const study = studyId ? getStudy(store.db, studyId) : null;
    const uar = study ? studyReport(store.db, study.id).aggregate.metrics?.uar : null;
    if (study && uar) {
      card.study = {
        id: study.id,
        name: study.name,
        folds: study.folds,
        seeds: study.spec.seeds,
        uar: { mean: uar.mean, ci95: uar.ci95 as [number, number] },
        runs: study.counts.completed ?? 0,
      };
    }
  }
  return card;
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** The card as Markdown (MODEL_CARD.md). */
export function modelCardMarkdown(c: ModelCard): string {
  const out: string[] = [`# Model card: ${c.model.name}`, ''];
  out.push(
    `${c.model.preset} (${c.model.kind})${c.model.parameters !== null ? `, ${c.model.parameters} parameters` : ''}, classes: ${c.model.labels.join(', ')}. Trained ${c.model.createdAt}` +
      `${c.training.backend ? ` on ${c.training.backend}` : ''}${c.training.seconds !== null ? ` in ${Math.round(c.training.seconds)} s` : ''}` +
      `${c.training.epochs ? ` (${c.training.epochs} epoch${c.training.epochs === 1 ? '' : 's'})` : ''}.` +
      `${c.testTimeSpeeds ? ` Test-time copies: every prediction averages the class probabilities of the recording and of its copies played ×${c.testTimeSpeeds.join(', ×')} (no speaker information).` : ''}`,
    '',
  );
  out.push('## Data', '');
  if (c.data) {
    out.push(`- Datasets: ${c.data.datasets.map((d) => `${d.name}${d.corpus ? ` (${d.corpus})` : ''}`).join(', ')}`);
    out.push(`- Split: \`${JSON.stringify(c.data.split)}\``);
    for (const part of ['train', 'val', 'test'] as const)
      out.push(`- ${part}: ${c.data.files[part]} files, speakers ${c.data.speakers[part].join(', ') || 'none'}`);
    if (c.data.warning) out.push(`- Warning: ${c.data.warning}.`);
  } else {
    out.push(
      c.training.found
        ? '- The stored run config could not be read; see the full config below.'
        : `- Run ${c.training.runId ?? '?'} is not in the database used for this export, so the split and test figures are not included.`,
    );
  }
  out.push('', '## Speaker adaptation', '', c.adaptation.assumes, '');
  out.push('## Results', '');
  if (c.study) {
    out.push(
      `Study ${c.study.id}${c.study.name ? ` "${c.study.name}"` : ''}: UAR ${pct(c.study.uar.mean)} [95 % CI ${pct(c.study.uar.ci95[0])}, ${pct(c.study.uar.ci95[1])}] over ${c.study.folds} speaker folds × ${c.study.seeds.length} seeds (${c.study.runs} runs); this model is one of them.`,
      '',
    );
  }
  if (c.test) {
    out.push(
      `Test split (${c.test.n} files, speakers never seen in training): accuracy ${pct(c.test.accuracy)}, UAR ${pct(c.test.uar)}, macro-F1 ${pct(c.test.macroF1)}. One split is an anecdote; prefer a study's figure.`,
      '',
    );
    out.push('| class | precision | recall | F1 | support |', '|---|---|---|---|---|');
    for (const [label, m] of Object.entries(c.test.perClass))
      out.push(`| ${label} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${m.support} |`);
    out.push('');
    if (c.confusions.length)
      out.push(
        `Confused most: ${c.confusions.map((p) => `${p.true} → ${p.predicted} (${pct(p.share)} of ${p.true}, ${p.count} files)`).join('; ')}.`,
        '',
      );
  } else out.push('No test evaluation on record.', '');
  if (c.export)
    out.push(
      '## Export',
      '',
      `ONNX opset ${c.export.opset}; onnxruntime vs the workbench: max |difference| ${c.export.maxAbsDiff.toExponential(2)}.`,
      '',
    );
  out.push('## Full run config', '', '```json', JSON.stringify(c.config, null, 2), '```', '');
  return out.join('\n');
}

/**
 * An exported ensemble's card: its weights and adaptation, its own stored figures (test set scored by the ensemble
 * itself, when its members shared a split), and every member's card below.
 */
export function ensembleModelCard(meta: EnsembleMeta, members: ModelCard[], exported: ModelCard['export']): { json: unknown; markdown: string } {
  const json = {
    ensemble: {
      name: meta.name,
      labels: meta.labels,
      weights: meta.weights,
      weighting: meta.weighting,
      adaptation: meta.adaptation,
      runId: meta.runId,
      metrics: meta.metrics,
    },
    export: exported,
    members,
  };
  const out = [`# Model card: ${meta.name}`, ''];
  out.push(
    `Ensemble of ${members.length} models: the weighted mean of their class probabilities (${meta.weighting === 'val' ? 'weights fitted on the validation split' : 'equal weights'}: ${meta.weights.map((w) => w.toFixed(3)).join(' / ')}), classes ${meta.labels.join(', ')}.`,
    '',
  );
  const t = meta.metrics.test;
  if (t)
    out.push(
      `Test split, scored by the ensemble itself: accuracy ${pct(t.accuracy)}, UAR ${pct(t.uar)} (${t.n} files). One split is an anecdote.`,
      '',
    );
  if (exported)
    out.push(
      `ONNX opset ${exported.opset}, every member in one graph; onnxruntime vs the workbench: max |difference| ${exported.maxAbsDiff.toExponential(2)}.`,
      '',
    );
  members.forEach((m, i) => {
    out.push(
      modelCardMarkdown(m)
        .replace(/^# Model card: /, `## Member ${i + 1} (weight ${meta.weights[i].toFixed(3)}): `)
        .replace(/\n## /g, '\n### '),
    );
  });
  return { json, markdown: out.join('\n') };
}

/**
 * The card (JSON and Markdown) of one model, or of an ensemble with its members' metas: what an export writes and
 * what Results shows.
 */
export function modelCardOf(
  target: { ensemble: EnsembleMeta | null; members: SavedModelMeta[] },
  store: Store | null,
  exported: ModelCard['export'],
): { json: unknown; markdown: string } {
  if (target.ensemble) {
    const cards = target.members.map((m) => buildModelCard(m, store, null));
    return ensembleModelCard(target.ensemble, cards, exported);
  }
  const card = buildModelCard(target.members[0], store, exported);
  return { json: card, markdown: modelCardMarkdown(card) };
}

/** The card of a saved model or saved ensemble folder (Results' "Model card"), without exporting it. */
export async function modelCardFor(dir: string, store: Store | null): Promise<{ json: unknown; markdown: string }> {
  if (isEnsembleDir(dir)) {
    const e = await loadEnsemble(dir);
    for (const m of e.members) m.network?.dispose();
    return modelCardOf({ ensemble: e.meta, members: e.members.map((m) => m.meta) }, store, null);
  }
  const { meta, network } = await readModelDir(dir);
  network?.dispose();
  return modelCardOf({ ensemble: null, members: [meta] }, store, null);
}
