/**
 * A call's cancellation, with the AbortSignal made only when something reads it.
 *
 * Why not a plain AbortController per call: on Node 20 making an AbortSignal (an EventTarget) costs
 * about 3 µs, a visible share of a plain 2026-07-28 tools/call over HTTP (100–200 µs of server CPU in
 * all), and most calls (get_ticket, list_tickets …) never look at it. A shared never-aborted signal would
 * do for reads, but it collects every abort listener that what an operation waits on (fetch, timers)
 * forgets to remove, and a call that is cancelled must still be told.
 */
export interface Cancellation {
  /** Whether the caller went away; reading it never makes the signal. */
  readonly aborted: boolean;
  /** The signal operations hand to the engine and to fetch; made on first read. */
  readonly signal: AbortSignal;
}

/** An existing signal (the SDK's request context) as a Cancellation. */
export function cancellationOf(signal: AbortSignal): Cancellation {
  return { get aborted() { return signal.aborted; }, signal };
}

export class LazyCancellation implements Cancellation {
  private controller: AbortController | null = null;
  private cancelled = false;

  get aborted(): boolean { return this.cancelled; }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** The caller went away: aborts the signal if it was made, or makes it aborted when it is. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.controller?.abort();
  }
}

/** What ResponseCancellation watches: an HTTP response (node:http's ServerResponse). */
interface WatchedResponse {
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * A call cancelled by its HTTP client closing the connection before the answer was written (the
 * 2026-07-28 rule: cancellation is closing the stream). `aborted` asks the response itself, and the
 * close listener is added only when something reads the signal: a listener added and removed on every
 * call costs about 1.3 µs, and most calls never look at their signal.
 */
export class ResponseCancellation implements Cancellation {
  private controller: AbortController | null = null;

  constructor(private readonly response: WatchedResponse) {}

  get aborted(): boolean { return this.response.destroyed && !this.response.writableFinished; }

  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.aborted) controller.abort();
      else this.response.once('close', () => { if (!this.response.writableFinished) controller.abort(); });
    }
    return this.controller.signal;
  }
}
