import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src-shared/config/run';
import type { RunSummary } from '../../src-shared/api/contract';
import { compareRuns, configDiff, flattenConfig } from '../../src-main/core/evaluation/compare';
import { comparisonToCsv, epochsToCsv, runsToCsv } from '../../src-main/core/evaluation/export';
import { csvField, toCsv } from '../../src-shared/csv';
import { evaluatePredictions } from '../../src-shared/metrics';

/** Minimal RFC 4180 reader, to prove the writer's output parses back to the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

const baseConfig = {
  datasetId: 1,
  model: { preset: 'resnet', params: { dropout: 0.3 } },
  optimizer: { kind: 'adam', learningRate: 0.001 },
  epochs: 30,
  augmentation: { noise: null, specAugment: null },
  labels: ['angry', 'happy', 'sad'],
  seed: 42,
};

describe('configDiff', () => {
  it('returns only differing dotted paths, one value per run, missing as null', () => {
    const b = { ...baseConfig, optimizer: { kind: 'adamw', learningRate: 0.001 }, augmentation: { noise: { p: 0.5, std: 0.1 }, specAugment: null } };
    const c = { ...baseConfig, epochs: 50, model: { preset: 'resnet', params: {} } };
    expect(configDiff([baseConfig, b, c])).toEqual({
      'model.params.dropout': [0.3, 0.3, null],
      'optimizer.kind': ['adam', 'adamw', 'adam'],
      epochs: [30, 30, 50],
      'augmentation.noise.p': [null, 0.5, null],
      'augmentation.noise.std': [null, 0.1, null],
    });
  });

  it('treats arrays of plain values as one value and ignores key order', () => {
    const a = { labels: ['a', 'b'], f: { x: 1, y: 2 } };
    const b = { f: { y: 2, x: 1 }, labels: ['a', 'c'] };
    expect(configDiff([a, b])).toEqual({
      labels: [
        ['a', 'b'],
        ['a', 'c'],
      ],
    });
    expect(configDiff([a, structuredClone(a)])).toEqual({});
  });

  it('recurses into arrays of objects by index', () => {
    expect(Object.fromEntries(flattenConfig({ stages: [{ w: 16 }, { w: 32 }] }))).toEqual({ 'stages.0.w': 16, 'stages.1.w': 32 });
    expect(configDiff([{ stages: [{ w: 16 }] }, { stages: [{ w: 16 }, { w: 32 }] }])).toEqual({ 'stages.1.w': [null, 32] });
  });

  it('survives configs that are not objects', () => {
    expect(configDiff([null, { a: 1 }])).toEqual({ a: [null, 1] });
  });
});

describe('compareRuns', () => {
  const labels3 = ['angry', 'happy', 'sad'];
  // Built inside each test: a call while the file is collected would count, for mutation testing, as coverage by no test.
  const reports = () => ({
    r1: evaluatePredictions([0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2], labels3),
    r2: evaluatePredictions([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], labels3),
  });

  it('puts metrics side by side with per-class F1 and the config diff', () => {
    const { r1, r2 } = reports();
    const c = compareRuns([
      {
        id: 1,
        config: baseConfig,
        metrics: r1 as unknown as Record<string, unknown>,
        status: 'completed',
        epochs: [{ epoch: 1, metrics: { loss: 1.2 } }],
      },
      { id: 2, config: { ...baseConfig, seed: 7 }, metrics: r2 as unknown as Record<string, unknown>, status: 'completed' },
    ]);
    expect(c.metrics.accuracy).toEqual([r1.accuracy, r2.accuracy]);
    expect(c.metrics.uar).toEqual([r1.uar, r2.uar]);
    expect(c.metrics.macroF1).toEqual([r1.macroF1, r2.macroF1]);
    expect(c.perClassF1.sad).toEqual([r1.perClass.sad.f1, r2.perClass.sad.f1]);
    expect(c.configDiff).toEqual({ seed: [42, 7] });
    expect(c.runs[0]).toMatchObject({ id: 1, status: 'completed', metrics: { accuracy: r1.accuracy, n: 6 } });
    expect(c.curves).toEqual([
      { id: 1, epochs: [{ epoch: 1, metrics: { loss: 1.2 } }] },
      { id: 2, epochs: [] },
    ]);
    expect(c.confusions[1]).toEqual({ id: 2, labels: labels3, matrix: r2.confusion });
    expect(c.warnings).toEqual([]);
  });

  it('warns about different label sets and compares per-class F1 on the intersection', () => {
    const { r1 } = reports();
    const r4 = evaluatePredictions([0, 1, 2, 3], [0, 1, 2, 2], ['angry', 'calm', 'sad', 'fearful']);
    const c = compareRuns([
      { id: 1, config: baseConfig, metrics: r1 as unknown as Record<string, unknown> },
      { id: 4, config: { ...baseConfig, labels: ['angry', 'calm', 'sad', 'fearful'] }, metrics: r4 as unknown as Record<string, unknown> },
    ]);
    expect(Object.keys(c.perClassF1)).toEqual(['angry', 'sad']);
    expect(c.sharedLabels).toEqual(['angry', 'sad']);
    expect(c.perClassF1.angry).toEqual([r1.perClass.angry.f1, 1]);
    expect(c.warnings.join('\n')).toMatch(
      /different label sets \(run 1 \[angry, happy, sad\]; run 4 \[angry, calm, sad, fearful\]\)\. Per-class F1 compares only the 2 shared labels \(angry, sad\)/,
    );
    expect(c.warnings.join('\n')).toMatch(/Runs differ in labels/);
  });

  it('says so when label sets share nothing', () => {
    const a = evaluatePredictions([0, 1], [0, 1], ['x', 'y']);
    const b = evaluatePredictions([0, 1], [0, 1], ['p', 'q']);
    const c = compareRuns([
      { id: 1, config: {}, metrics: a as unknown as Record<string, unknown> },
      { id: 2, config: {}, metrics: b as unknown as Record<string, unknown> },
    ]);
    expect(c.perClassF1).toEqual({});
    expect(c.warnings[0]).toMatch(/no label in common/);
  });

  it('never crashes on a failed run without metrics, a garbage metrics object or a deleted dataset', () => {
    const { r1 } = reports();
    const c = compareRuns([
      { id: 1, config: baseConfig, metrics: r1 as unknown as Record<string, unknown>, status: 'completed' },
      { id: 2, config: { ...baseConfig, epochs: 5 }, metrics: null, status: 'failed' },
      { id: 3, config: baseConfig, metrics: { confusion: 'broken', perClass: 7 }, datasetDeleted: true },
    ]);
    expect(c.metrics.accuracy).toEqual([r1.accuracy, null, null]);
    expect(c.perClassF1.angry).toEqual([r1.perClass.angry.f1, null, null]);
    expect(c.confusions.map((x) => x.matrix === null)).toEqual([false, true, true]);
    expect(c.warnings).toContain('Run 2 has no evaluation (status failed); its metrics are shown as null.');
    expect(c.warnings.join('\n')).toMatch(/Run 3's stored metrics hold no accuracy/);
    expect(c.warnings.join('\n')).toMatch(/Run 3's dataset has been deleted/);
  });
});

describe('CSV export', () => {
  it('quotes commas, quotes, newlines and edge spaces (RFC 4180) and parses back', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' pad')).toBe('" pad"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(['a', 'b'])).toBe('"[""a"",""b""]"');
    const rows = [
      ['note, with comma', 'line1\nline2', 'q"uote', null, 3],
      ['', ' x ', '=1+1', 'ok', -2.5],
    ];
    const text = toCsv(['a', 'b', 'c', 'd', 'e'], rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['note, with comma', 'line1\nline2', 'q"uote', '', '3'],
      ['', ' x ', '=1+1', 'ok', '-2.5'],
    ]);
  });

  // The export flattens whatever a stored config holds, keys the current schema lacks included.
  const summary = (id: number, config: object, note: string): RunSummary => ({
    id,
    name: `run ${id}`,
    status: 'completed',
    datasetId: 1,
    datasetName: 'RAVDESS, 16k',
    model: 'resnet',
    backend: 'wasm',
    split: 'speaker',
    accuracy: 0.5,
    uar: 0.45,
    macroF1: 0.44,
    epochs: 3,
    seconds: 12.5,
    tags: ['a', 'b'],
    note,
    createdAt: '2025-01-01T00:00:00.000Z',
    error: null,
    config: config as RunConfig,
  });

  it('runsToCsv writes summary, per-class F1 and flattened config columns', () => {
    const ev = { ...evaluatePredictions([0, 1], [0, 0], ['angry', 'sad']), predictions: [] };
    const rows = parseCsv(
      runsToCsv([{ ...summary(1, baseConfig, 'first, "best"'), evaluation: ev }, summary(2, { ...baseConfig, extra: true }, '')]),
    );
    const header = rows[0];
    const get = (row: number, col: string) => rows[row][header.indexOf(col)];
    expect(rows).toHaveLength(3);
    expect(get(1, 'datasetName')).toBe('RAVDESS, 16k');
    expect(get(1, 'note')).toBe('first, "best"');
    expect(get(1, 'tags')).toBe('a;b');
    expect(get(1, 'f1.angry')).toBe(String(ev.perClass.angry.f1));
    expect(get(2, 'f1.angry')).toBe('');
    expect(get(1, 'config.model.params.dropout')).toBe('0.3');
    expect(get(1, 'config.labels')).toBe('["angry","happy","sad"]');
    expect(get(1, 'config.extra')).toBe('');
    expect(get(2, 'config.extra')).toBe('true');
  });

  it('epochsToCsv and comparisonToCsv', () => {
    const curves = parseCsv(
      epochsToCsv([
        {
          id: 1,
          epochsData: [
            { epoch: 1, metrics: { loss: 2, val_uar: 0.3 } },
            { epoch: 2, metrics: { loss: 1.5, val_uar: 0.4 } },
          ],
        },
        { id: 2, epochsData: [{ epoch: 1, metrics: { loss: 2.2, lr: 0.001 } }] },
      ]),
    );
    expect(curves).toEqual([
      ['runId', 'epoch', 'loss', 'val_uar', 'lr'],
      ['1', '1', '2', '0.3', ''],
      ['1', '2', '1.5', '0.4', ''],
      ['2', '1', '2.2', '', '0.001'],
    ]);
    const c = compareRuns([
      { id: 1, config: baseConfig, metrics: { accuracy: 0.5, uar: 0.4, macroF1: 0.3 } },
      { id: 2, config: { ...baseConfig, seed: 1 }, metrics: null, status: 'failed' },
    ]);
    expect(parseCsv(comparisonToCsv(c))).toEqual([
      ['id', 'status', 'accuracy', 'uar', 'macroF1', 'config.seed'],
      ['1', '', '0.5', '0.4', '0.3', '42'],
      ['2', 'failed', '', '', '', '1'],
    ]);
  });
});
