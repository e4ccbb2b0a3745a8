import type { WebSocket } from 'ws';

/**
 * Bytes queued for one client (ws.bufferedAmount) above which the server stops reading that client's requests until
 * it catches up: answers cost work and memory, and a client that is not taking them should not cause more. A page
 * that reads drains loopback at hundreds of MB/s, so it only gets here for the moment a very large answer (a long
 * recording from files.audio) takes to go out.
 */
export const CLIENT_BACKLOG_PAUSE_BYTES = 16 * 1024 * 1024;
/** How long a client may stay over CLIENT_BACKLOG_PAUSE_BYTES before it is dropped as one that stopped reading. */
export const CLIENT_BACKLOG_GRACE_MS = 5_000;
/**
 * Backlog at which a client is dropped at once, grace or not: events keep streaming to a client that does not read
 * (a training run's batches, recorder chunks), and the server must not hold them without bound. One message bigger
 * than this still goes out when the backlog before it was small, so the most held for a client is this plus its
 * largest message.
 */
export const CLIENT_BACKLOG_DROP_BYTES = 64 * 1024 * 1024;
/**
 * Requests of one connection being handled at once: beyond it the server stops reading that connection (TCP then
 * pushes back on the client) until answers go out. Without it a client pipelining thousands of requests (audio
 * decodes, exports) makes the server do all their work and hold all their answers at the same time.
 */
export const MAX_IN_FLIGHT_PER_CLIENT = 32;

/**
 * Flow control of one WebSocket client: sends with a bounded backlog, and stops reading its requests while too many
 * are in flight or its answers are not being taken. Both limits pause the socket (ws.pause), so nothing is refused
 * or lost: the client's own TCP send buffer fills and it waits.
 */
export class ClientFlow {
  private inFlight = 0;
  private readonly waiting: (() => Promise<unknown>)[] = [];
  private backlogSince: number | null = null;
  private watch: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly log: (message: string) => void,
  ) {
    ws.once('close', () => this.stopWatching());
  }

  /** False once the client has closed or been dropped: what it sent is then not worked on. */
  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Queues text for the client, or drops it when its backlog is over CLIENT_BACKLOG_DROP_BYTES. */
  send(text: string): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > CLIENT_BACKLOG_DROP_BYTES) return this.drop();
    this.ws.send(text);
    if (this.backlogSince === null && this.ws.bufferedAmount > CLIENT_BACKLOG_PAUSE_BYTES) {
      this.backlogSince = Date.now();
      this.updateReading();
      // ws has no drain event of its own: look once a second whether the client caught up or ran out of time.
      this.watch = setInterval(() => {
        if (this.ws.bufferedAmount <= CLIENT_BACKLOG_PAUSE_BYTES) {
          this.stopWatching();
          this.pump();
        } else if (Date.now() - this.backlogSince! > CLIENT_BACKLOG_GRACE_MS) this.drop();
      }, 1000);
      this.watch.unref();
    }
  }

  /**
   * Runs one request's work now, or after the client's flow allows it. Pausing the socket stops new data, but ws
   * still emits every frame it had already received, so those wait here (at most one socket read's worth).
   */
  handle(work: () => Promise<unknown>): void {
    this.waiting.push(work);
    this.pump();
  }

  private get stopped(): boolean {
    return this.inFlight >= MAX_IN_FLIGHT_PER_CLIENT || this.backlogSince !== null;
  }

  private pump(): void {
    while (this.open && !this.stopped && this.waiting.length) {
      const work = this.waiting.shift()!;
      this.inFlight++;
      const settled = () => {
        this.inFlight--;
        this.pump();
      };
      work().then(settled, settled);
    }
    this.updateReading();
  }

  private updateReading(): void {
    if (!this.open) {
      this.waiting.length = 0;
      return;
    }
    const stop = this.stopped || this.waiting.length > 0;
    if (stop && !this.ws.isPaused) this.ws.pause();
    else if (!stop && this.ws.isPaused) this.ws.resume();
  }

  private stopWatching(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    this.backlogSince = null;
  }

  private drop(): void {
    this.log(`Dropped a WebSocket client that stopped reading (${(this.ws.bufferedAmount / 2 ** 20).toFixed(0)} MiB queued for it).`);
    this.stopWatching();
    // The close frame would queue behind the backlog the client is not reading, so the socket goes too.
    this.ws.close(1008, 'client is not reading its messages');
    this.ws.terminate();
  }
}
