import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../src-main/core/training/earlyStopping';

// Values and deltas are binary fractions (0.5, 0.25, 0.125), so best ± minDelta is exact and the boundaries are sharp.
const run = (stopper: EarlyStopping, values: number[]) => values.map((v, i) => stopper.update(v, i + 1));

describe('early stopping: min-delta', () => {
  it('maximising: an improvement must exceed best + minDelta, strictly', () => {
    const e = new EarlyStopping({ mode: 'max', patience: null, minDelta: 0.25 });
    expect(e.update(0.5, 1).improved).toBe(true); // the first finite value is always the best so far
    expect(e.update(0.625, 2).improved).toBe(false); // better, but by less than minDelta
    expect(e.update(0.75, 3).improved).toBe(false); // exactly best + minDelta is not enough
    expect(e.update(0.25, 4).improved).toBe(false); // worse
    expect(e.best).toBe(0.5);
    expect(e.bestEpoch).toBe(1);
    expect(e.update(0.875, 5).improved).toBe(true); // beyond best + minDelta
    expect(e.best).toBe(0.875);
    expect(e.bestEpoch).toBe(5);
  });

  it('minimising: an improvement must fall below best - minDelta, strictly', () => {
    const e = new EarlyStopping({ mode: 'min', patience: null, minDelta: 0.25 });
    expect(e.update(1, 1).improved).toBe(true);
    expect(e.update(0.875, 2).improved).toBe(false); // lower, but by less than minDelta
    expect(e.update(0.75, 3).improved).toBe(false); // exactly best - minDelta is not enough
    expect(e.update(1.5, 4).improved).toBe(false); // higher is worse when minimising
    expect(e.best).toBe(1);
    expect(e.bestEpoch).toBe(1);
    expect(e.update(0.5, 5).improved).toBe(true);
    expect(e.best).toBe(0.5);
    expect(e.bestEpoch).toBe(5);
  });

  it('with minDelta 0 any strict improvement counts and a tie does not', () => {
    const max = new EarlyStopping({ mode: 'max', patience: null, minDelta: 0 });
    expect(run(max, [0.5, 0.5, 0.5000001, 0.4]).map((r) => r.improved)).toEqual([true, false, true, false]);
    expect(max.bestEpoch).toBe(3);
    const min = new EarlyStopping({ mode: 'min', patience: null, minDelta: 0 });
    expect(run(min, [0.5, 0.5, 0.4999999, 0.6]).map((r) => r.improved)).toEqual([true, false, true, false]);
    expect(min.bestEpoch).toBe(3);
  });

  it('compares with the best value, not the previous epoch: a slow climb counts once it gains more than minDelta over the best', () => {
    const e = new EarlyStopping({ mode: 'max', patience: null, minDelta: 0.25 });
    expect(run(e, [0, 0.125, 0.25, 0.375]).map((r) => r.improved)).toEqual([true, false, false, true]);
    expect(e.best).toBe(0.375);
  });
});

describe('early stopping: patience', () => {
  it('stops after `patience` epochs in a row without improvement, counting from the last improvement', () => {
    const e = new EarlyStopping({ mode: 'max', patience: 3, minDelta: 0 });
    const stops = run(e, [0.1, 0.2, 0.2, 0.1, 0.3, 0.3, 0.25, 0.2, 0.4]).map((r) => r.stop);
    // Epochs 3-4 wait 2, epoch 5 improves (reset), epochs 6-8 wait 3 → stop at epoch 8.
    expect(stops).toEqual([false, false, false, false, false, false, false, true, false]);
    expect(e.bestEpoch).toBe(9);
  });

  it('keeps saying stop while nothing improves (the caller may go on)', () => {
    const e = new EarlyStopping({ mode: 'min', patience: 1, minDelta: 0 });
    expect(run(e, [1, 2, 3]).map((r) => r.stop)).toEqual([false, true, true]);
  });

  it('patience null never stops', () => {
    const e = new EarlyStopping({ mode: 'min', patience: null, minDelta: 0 });
    const results = run(e, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(results.every((r) => !r.stop)).toBe(true);
    expect(e.bestEpoch).toBe(1);
  });

  it('non-finite values never improve, count towards patience and leave no best epoch before a finite one', () => {
    const e = new EarlyStopping({ mode: 'max', patience: 2, minDelta: 0 });
    expect(e.best).toBeNull();
    expect(e.bestEpoch).toBe(-1);
    expect(e.update(NaN, 1)).toEqual({ improved: false, stop: false });
    expect(e.best).toBeNull();
    expect(e.bestEpoch).toBe(-1); // the trainer reports max(bestEpoch, 0): no epoch was best
    expect(e.update(Infinity, 2)).toEqual({ improved: false, stop: true });
    expect(e.update(0.5, 3)).toEqual({ improved: true, stop: false });
    expect(e.update(NaN, 4)).toEqual({ improved: false, stop: false });
    expect(e.best).toBe(0.5);
    expect(e.bestEpoch).toBe(3);
  });
});
