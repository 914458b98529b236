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
