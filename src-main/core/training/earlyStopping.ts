/** Tracks the best value of a monitored metric; says when it improved and when to stop. */
export class EarlyStopping {
  best: number | null = null;
  bestEpoch = -1;
  private waited = 0;

  constructor(private readonly opts: { mode: 'min' | 'max'; patience: number | null; minDelta: number }) {}

  /** Records one epoch; `improved` means this epoch is the new best checkpoint. */
  update(value: number, epoch: number): { improved: boolean; stop: boolean } {
    const d = this.opts.minDelta;
    const improved = Number.isFinite(value) && (this.best === null || (this.opts.mode === 'max' ? value > this.best + d : value < this.best - d));
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.waited = 0;
    } else {
      this.waited++;
    }
    const stop = this.opts.patience !== null && this.waited >= this.opts.patience;
    return { improved, stop };
  }
}
