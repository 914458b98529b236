// What the bot's token sends against Discord's global limit, counted on the sandbox's own clock as
// requests are processed: how many, the most within any one second (a sliding window, stricter
// than Discord's fixed ones), and how many were refused with a 429 (global, or a route bucket).
// Tests and drills read it to show that several processes together stay within 50 per second.

export interface TrafficReport {
  /** Bot-authenticated requests that count against the global limit (interaction callbacks and webhook tokens do not). */
  bot_requests: number;
  /** The most of them processed within any 1,000 ms. */
  most_in_any_second: number;
  /** 429 answers: the global limit, and route buckets (the name/topic sublimit included). */
  limited_global: number;
  limited_route: number;
}

export class Traffic {
  private recent: number[] = [];
  private head = 0;
  private report: TrafficReport = Traffic.empty();

  private static empty(): TrafficReport {
    return { bot_requests: 0, most_in_any_second: 0, limited_global: 0, limited_route: 0 };
  }

  /** One bot request counting against the global limit, processed at `now`. */
  request(now = Date.now()): void {
    this.report.bot_requests++;
    this.recent.push(now);
    while ((this.recent[this.head] as number) <= now - 1_000) this.head++;
    // Compact now and then: the window never holds more than a second of requests.
    if (this.head > 1_024) { this.recent = this.recent.slice(this.head); this.head = 0; }
    this.report.most_in_any_second = Math.max(this.report.most_in_any_second, this.recent.length - this.head);
  }

  limited(global: boolean): void {
    if (global) this.report.limited_global++;
    else this.report.limited_route++;
  }

  snapshot(): TrafficReport {
    return { ...this.report };
  }

  reset(): void {
    this.recent = [];
    this.head = 0;
    this.report = Traffic.empty();
  }
}
