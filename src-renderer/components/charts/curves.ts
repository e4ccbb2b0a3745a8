/** Training curves from batch and epoch points, on one x axis measured in epochs. */
import type { BatchPoint, EpochPoint } from '../../../src-shared/api/contract';
import type { LineSeries } from './options';

export type CurveKind = 'loss' | 'accuracy' | 'lr';

/** Which chart an epoch metric belongs on, by its name (val_loss, val_uar, lr, ...). */
export function metricKind(name: string): CurveKind | null {
  const n = name.toLowerCase();
  if (n === 'lr' || n.endsWith('_lr') || n.includes('learning')) return 'lr';
  if (n.includes('loss')) return 'loss';
  if (n.includes('acc') || n.includes('uar') || n.includes('f1')) return 'accuracy';
  return null;
}

/**
 * Line series for one chart. Batches sit at fractional epochs (batch b of n in epoch e ends at
 * e + (b+1)/n, counted from the first epoch index seen, so 0- and 1-based epochs both work).
 */
export function curveSeries(batches: BatchPoint[], epochs: EpochPoint[], kind: CurveKind, prefix = ''): LineSeries[] {
  const first = Math.min(...batches.map((b) => b.epoch), ...epochs.map((e) => e.epoch), Infinity);
  const base = Number.isFinite(first) ? first : 0;
  const perEpoch = new Map<number, number>();
  for (const b of batches) perEpoch.set(b.epoch, Math.max(perEpoch.get(b.epoch) ?? 0, b.batch + 1));
  const typical = Math.max(1, ...perEpoch.values());
  const out: LineSeries[] = [];
  if (batches.length) {
    const value = (b: BatchPoint) => (kind === 'loss' ? b.loss : kind === 'accuracy' ? b.accuracy : b.lr);
    const points = batches
      .filter((b) => value(b) !== null)
      .map((b): [number, number | null] => [b.epoch - base + (b.batch + 1) / Math.max(typical, perEpoch.get(b.epoch) ?? 1), value(b)]);
    if (points.length) out.push({ name: `${prefix}train ${kind} (batch)`, points, dense: true });
  }
  const names = [...new Set(epochs.flatMap((e) => Object.keys(e.metrics)))].filter((n) => metricKind(n) === kind).sort();
  for (const name of names) {
    out.push({
      name: `${prefix}${name} (epoch)`,
      points: epochs.filter((e) => typeof e.metrics[name] === 'number').map((e): [number, number] => [e.epoch - base + 1, e.metrics[name]]),
      dashed: name.startsWith('val'),
    });
  }
  return out;
}
