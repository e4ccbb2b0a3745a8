import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyNormalization, fitNormalization, normalizeBySpeaker, type NormalizationStats } from '../../src-main/core/training/normalization';

type Matrix = { shape: [number, number]; data: Float32Array };

// Feature values on a dB-like scale, in steps of 1/8: exact in float32, so "constant band" is an exact notion.
const value = fc.integer({ min: -800, max: 800 }).map((v) => v / 8);
const matrixOf = (rows: number) =>
  fc
    .integer({ min: 1, max: 6 })
    .chain((cols) =>
      fc.array(value, { minLength: rows * cols, maxLength: rows * cols }).map((v): Matrix => ({ shape: [rows, cols], data: Float32Array.from(v) })),
    );
/** Sometimes makes a band constant over all of the given matrices (a silence floor, a fixed dimension). */
const withConstantBand = (rows: number, matrices: Matrix[]) =>
  fc.option(fc.record({ band: fc.integer({ min: 0, max: rows - 1 }), level: value }), { nil: null }).map((c) => {
    if (c) for (const m of matrices) m.data.fill(c.level, c.band * m.shape[1], (c.band + 1) * m.shape[1]);
    return matrices;
  });

/** Each band's values pooled over every matrix, in float64. */
function bandValues(matrices: { shape: [number, number]; data: Float32Array }[], rows: number): number[][] {
  const bands: number[][] = Array.from({ length: rows }, () => []);
  for (const m of matrices) {
    const cols = m.data.length / rows;
    for (let r = 0; r < rows; r++) bands[r].push(...m.data.subarray(r * cols, (r + 1) * cols));
  }
  return bands;
}
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const stdOf = (v: number[]) => Math.sqrt(meanOf(v.map((x) => (x - meanOf(v)) ** 2)));

/** Bands whose standardised values should have mean 0 and std 1, and constant ones that should be finite (shifted to 0). */
function expectStandardised(raw: number[][], normalised: number[][]) {
  raw.forEach((band, r) => {
    const out = normalised[r];
    expect(out.every(Number.isFinite)).toBe(true);
    if (band.every((v) => v === band[0])) {
      expect(out.every((v) => v === 0)).toBe(true);
    } else {
      expect(Math.abs(meanOf(out))).toBeLessThan(1e-4);
      expect(Math.abs(stdOf(out) - 1)).toBeLessThan(1e-4);
    }
  });
}

type Role = 'train' | 'val' | 'test';
type File = { id: number; role: Role; speaker: string | null; m: Matrix };

const heldOutRole = fc.constantFrom<Role>('val', 'test');
const speakerIndex = fc.option(fc.integer({ min: 0, max: 2 }), { nil: null });

/**
 * A dataset split speaker-independently (the default split): training, validation and test speakers are disjoint
 * (speaker ids are prefixed by role); some files have no speaker. Also, for the held-out files, features to replace
 * theirs with (of any length; a file without a replacement is dropped) and held-out files to add.
 */
const splitDataset = fc.integer({ min: 1, max: 4 }).chain((rows) =>
  fc.record({
    rows: fc.constant(rows),
    files: fc
      .array(fc.record({ role: fc.constantFrom<Role>('train', 'train', 'val', 'test'), speaker: speakerIndex, m: matrixOf(rows) }), {
        minLength: 1,
        maxLength: 10,
      })
      .map((files) =>
        [{ ...files[0], role: 'train' as const }, ...files.slice(1)].map((f, id): File => ({
          id,
          role: f.role,
          speaker: f.speaker === null ? null : `${f.role}-${f.speaker}`,
          m: f.m,
        })),
      ),
    replacements: fc.array(matrixOf(rows), { maxLength: 10 }),
    added: fc.array(fc.record({ role: heldOutRole, speaker: speakerIndex, m: matrixOf(rows) }), { maxLength: 4 }),
  }),
);

/** What the run pipeline does (training/data.ts): optional speaker normalisation over all files, then statistics from the training files. */
function pipeline(files: File[], rows: number, mode: NormalizationStats['mode'], speakerNormalization: boolean) {
  let byId = new Map(files.map((f) => [f.id, f.m]));
  if (speakerNormalization) {
    const speakers = new Map(files.map((f) => [f.id, f.speaker]));
    byId = normalizeBySpeaker(byId, (id) => speakers.get(id)!);
  }
  const trainIds = files.filter((f) => f.role === 'train').map((f) => f.id);
  const stats = fitNormalization(
    trainIds.map((id) => byId.get(id)!.data),
    rows,
    mode,
  );
  return { stats, train: trainIds.map((id) => Array.from(applyNormalization(byId.get(id)!.data, stats))) };
}

const modes = fc.constantFrom<NormalizationStats['mode']>('per-band', 'global', 'utterance', 'none');

describe('normalisation properties', () => {
  it('statistics come from the training files only: changing, adding or removing validation and test files changes no statistic and no normalised training feature', () => {
    fc.assert(
      fc.property(splitDataset, modes, fc.boolean(), ({ rows, files, replacements, added }, mode, speakerNormalization) => {
        const before = pipeline(files, rows, mode, speakerNormalization);
        const heldOut = files.filter((f) => f.role !== 'train');
        const changed: File[] = [
          ...files.filter((f) => f.role === 'train'),
          ...heldOut.flatMap((f, i) => (i < replacements.length ? [{ ...f, m: replacements[i] }] : [])),
          ...added.map((f, i) => ({ id: 100 + i, role: f.role, speaker: f.speaker === null ? null : `${f.role}-${f.speaker}`, m: f.m })),
        ];
        const after = pipeline(changed, rows, mode, speakerNormalization);
        expect(after.stats).toEqual(before.stats);
        expect(after.train).toEqual(before.train);
      }),
    );
  });

  it("per-speaker statistics of one speaker never depend on another speaker's files (or on files without a speaker)", () => {
    const speakerOf = (s: number | null) => (s === null ? null : `s${s}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rows) =>
          fc.record({
            own: fc.array(matrixOf(rows), { minLength: 1, maxLength: 4 }),
            others: fc.array(fc.record({ speaker: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }), m: matrixOf(rows) }), { maxLength: 6 }),
            othersChanged: fc.array(fc.record({ speaker: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }), m: matrixOf(rows) }), {
              maxLength: 6,
            }),
          }),
        ),
        ({ own, others, othersChanged }) => {
          // Speaker 0's files sit among the others (file ids in one sequence); returns their normalised features in order.
          const normaliseOwn = (rest: { speaker: number | null; m: Matrix }[]) => {
            const files = [...rest.slice(0, 2), ...own.map((m) => ({ speaker: 0, m })), ...rest.slice(2)];
            const out = normalizeBySpeaker(new Map(files.map((f, id) => [id, f.m])), (id) => speakerOf(files[id].speaker));
            return files.flatMap((f, id) => (f.speaker === 0 ? [Array.from(out.get(id)!.data)] : []));
          };
          expect(normaliseOwn(othersChanged)).toEqual(normaliseOwn(others));
          expect(normaliseOwn([])).toEqual(normaliseOwn(others));
        },
      ),
    );
  });

  it('normalised training features have mean 0 and std 1 in every band that is not constant (per band), or overall (global)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rows) =>
          fc
            .array(matrixOf(rows), { minLength: 1, maxLength: 5 })
            .chain((items) => withConstantBand(rows, items))
            .map((items) => ({ rows, items })),
        ),
        ({ rows, items }) => {
          const data = items.map((m) => m.data);
          const perBand = fitNormalization(data, rows, 'per-band');
          const normalised = items.map((m) => ({ shape: m.shape, data: applyNormalization(m.data, perBand) }));
          expectStandardised(bandValues(items, rows), bandValues(normalised, rows));

          const global = fitNormalization(data, rows, 'global');
          const all = bandValues(items, rows).flat();
          const out = data.flatMap((x) => Array.from(applyNormalization(x, global)));
          expectStandardised([all], [out]);
        },
      ),
    );
  });

  it('speaker normalisation gives every speaker mean 0 and std 1 in every band that is not constant for that speaker', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rows) =>
          fc
            .array(fc.record({ speaker: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null }), m: matrixOf(rows) }), {
              minLength: 1,
              maxLength: 8,
            })
            .map((files) => ({ rows, files })),
        ),
        ({ rows, files }) => {
          const out = normalizeBySpeaker(new Map(files.map((f, id) => [id, f.m])), (id) => files[id].speaker);
          const groups = new Map<string, number[]>();
          files.forEach((f, id) => {
            const key = f.speaker ?? `file ${id}`;
            groups.set(key, [...(groups.get(key) ?? []), id]);
          });
          for (const ids of groups.values()) {
            expectStandardised(
              bandValues(
                ids.map((id) => files[id].m),
                rows,
              ),
              bandValues(
                ids.map((id) => out.get(id)!),
                rows,
              ),
            );
          }
        },
      ),
    );
  });

  it('utterance mode: every band of every utterance has mean 0 and std 1 on its own, or is 0 where constant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rows) => matrixOf(rows).map((m) => ({ rows, m }))),
        ({ rows, m }) => {
          const y = applyNormalization(m.data, fitNormalization([m.data], rows, 'utterance'));
          expectStandardised(bandValues([m], rows), bandValues([{ shape: m.shape, data: y }], rows));
        },
      ),
    );
  });
});
