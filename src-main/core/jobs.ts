import { randomUUID } from 'node:crypto';
import type { ApiEvent, JobKind } from '../../src-shared/api/contract';
import { CancelledError, errorMessage } from '../../src-shared/api/errors';

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  progress(done: number, total: number, detail?: string): void;
  emit(event: ApiEvent): void;
}

interface Job {
  kind: JobKind;
  controller: AbortController;
}

/** Long-running work (import, extraction, training, prediction) with progress events and cancel. */
export class JobQueue {
  private readonly jobs = new Map<string, Job>();

  constructor(readonly emit: (event: ApiEvent) => void) {}

  /** Starts `body` in the background and returns its id at once; completion arrives as an event. */
  start<T>(kind: JobKind, body: (ctx: JobContext) => Promise<T>, onSettled?: () => void): string {
    const jobId = randomUUID();
    const controller = new AbortController();
    this.jobs.set(jobId, { kind, controller });
    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (done, total, detail) => this.emit({ type: 'job.progress', jobId, kind, done, total, detail }),
      emit: this.emit,
    };
    // Deferred so the caller can hand the id to the client before the first progress event.
    setImmediate(() => {
      body(ctx)
        .then((result) => this.emit({ type: 'job.done', jobId, kind, result }))
        .catch((err: unknown) => this.emit({ type: 'job.error', jobId, kind, error: errorMessage(err), cancelled: controller.signal.aborted }))
        .finally(() => {
          this.jobs.delete(jobId);
          onSettled?.();
        });
    });
    return jobId;
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    job.controller.abort(new CancelledError());
    return true;
  }

  cancelAll(): void {
    for (const job of this.jobs.values()) job.controller.abort(new CancelledError('the workbench is shutting down'));
  }

  get active(): number {
    return this.jobs.size;
  }
}
