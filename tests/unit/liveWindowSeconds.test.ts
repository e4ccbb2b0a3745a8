import { describe, expect, it } from 'vitest';
import { liveWindowSeconds, UTTERANCE_WINDOW_SECONDS } from '../../src-shared/live/liveWindow';

// The Recorder's live window (stores/models.ts modelInputSeconds) must be the one `ser record --live` uses for the
// same model (core/recorder/classifier.ts: the model's input length, else UTTERANCE_WINDOW_SECONDS).
describe('the live window of a model', () => {
  it("is a fixed-length model's input length", () => {
    expect(liveWindowSeconds({ mode: 'fixed', seconds: 4 })).toBe(4);
  });

  it('is one sentence for utterance-level models, not their 30 s cap (which would keep live mode waiting half a minute)', () => {
    expect(UTTERANCE_WINDOW_SECONDS).toBe(3);
    expect(liveWindowSeconds({ mode: 'variable', seconds: 30 })).toBe(3);
    expect(liveWindowSeconds(undefined)).toBe(3);
  });
});
