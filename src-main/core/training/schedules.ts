/** Cosine-annealed learning rate at a fractional epoch, with linear warm-up from 0. */
export function cosineLearningRate(epoch: number, totalEpochs: number, baseLr: number, minLr: number, warmupEpochs = 0): number {
  if (warmupEpochs > 0 && epoch < warmupEpochs) return (baseLr * (epoch + 1e-9)) / warmupEpochs;
  const span = Math.max(totalEpochs - warmupEpochs, 1e-9);
  const progress = Math.min(Math.max((epoch - warmupEpochs) / span, 0), 1);
  return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
}

/** ReduceLROnPlateau: multiplies the LR by `factor` after `patience` epochs without improvement. */
export class PlateauSchedule {
  private best: number | null = null;
  private waited = 0;
  lr: number;

  constructor(
    baseLr: number,
    private readonly opts: { factor: number; patience: number; minLr: number; mode: 'min' | 'max'; minDelta?: number },
  ) {
    this.lr = baseLr;
  }

  /** Feeds one epoch's monitored value; returns the LR for the next epoch. */
  step(value: number): number {
    const delta = this.opts.minDelta ?? 1e-4;
    const improved = this.best === null || (this.opts.mode === 'max' ? value > this.best + delta : value < this.best - delta);
    if (improved) {
      this.best = value;
      this.waited = 0;
    } else if (++this.waited > this.opts.patience) {
      this.lr = Math.max(this.lr * this.opts.factor, this.opts.minLr);
      this.waited = 0;
    }
    return this.lr;
  }
}
