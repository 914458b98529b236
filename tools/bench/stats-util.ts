/** Small measuring helpers shared by the benchmarks. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

export interface Latency { n: number; p50: number; p99: number; mean: number }

/** Runs `fn` `n` times sequentially (after `warmup` runs) and returns latency percentiles in ms. */
export async function measure(n: number, fn: (i: number) => Promise<unknown>, warmup = Math.min(50, n)): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { n, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)), mean: round(samples.reduce((a, b) => a + b, 0) / n) };
}

/**
 * Measures `a` and `b` on the same inputs, interleaved, taking turns going first: whichever runs first
 * on an input pays for the storage reads it causes, so neither side gets a cache the other warmed.
 */
export async function measurePair(n: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>, warmup = Math.min(50, n)): Promise<[Latency, Latency]> {
  for (let i = 0; i < warmup; i++) { await a(n + i); await b(n + i); }
  const sa: number[] = [];
  const sb: number[] = [];
  const time = async (fn: (i: number) => Promise<unknown>, i: number, into: number[]) => {
    const t0 = process.hrtime.bigint();
    await fn(i);
    into.push(Number(process.hrtime.bigint() - t0) / 1e6);
  };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) { await time(a, i, sa); await time(b, i, sb); } else { await time(b, i, sb); await time(a, i, sa); }
  }
  return [summary(sa), summary(sb)];
}

function summary(samples: number[]): Latency {
  samples.sort((x, y) => x - y);
  return { n: samples.length, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)), mean: round(samples.reduce((x, y) => x + y, 0) / samples.length) };
}

/** Runs `workers` loops of `fn` for `seconds` and returns operations per second. */
export async function throughput(workers: number, seconds: number, fn: (worker: number, i: number) => Promise<unknown>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; Date.now() < until; i++) { await fn(w, i); done++; }
  }));
  return Math.round(done / seconds);
}

export const round = (x: number, digits = 3) => Number(x.toFixed(digits));
export const ratio = (a: number, b: number) => round(a / b, 2);
/** The middle value (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
