/** A length of time as people say it in a queue: 5 min, 3 h, 2 d (at least 1 min). */
export function humanDuration(ms: number): string {
  const min = Math.max(1, Math.round(ms / 60_000));
  return min < 60 ? `${min} min` : min < 48 * 60 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} d`;
}
