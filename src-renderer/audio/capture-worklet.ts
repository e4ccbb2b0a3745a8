/**
 * AudioWorklet that forwards microphone samples (channel 0) to the page in ~43 ms blocks, so the
 * main thread gets a few dozen messages a second instead of one per 128-frame render quantum.
 */
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

const BLOCK = 2048;

class CaptureProcessor extends AudioWorkletProcessor {
  private block = new Float32Array(BLOCK);
  private fill = 0;

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) {
      let i = 0;
      while (i < channel.length) {
        const n = Math.min(channel.length - i, BLOCK - this.fill);
        this.block.set(channel.subarray(i, i + n), this.fill);
        this.fill += n;
        i += n;
        if (this.fill === BLOCK) {
          this.port.postMessage(this.block, [this.block.buffer]);
          this.block = new Float32Array(BLOCK);
          this.fill = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('ser-capture', CaptureProcessor);

export {};
