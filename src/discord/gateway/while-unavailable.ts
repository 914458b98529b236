/**
 * Gateway events arrive once: Discord does not send a message again because our database was
 * restarting when it came. Work on such an event that fails with "database unavailable" is tried
 * again with backoff until the database is back (for a bounded time and a bounded number of
 * events held), so a line written during a restart still reaches the transcript.
 */
import { isUnavailableError } from '../../engine/errors.js';

/** How long one event's work is retried, and how many events may wait at once. */
const GIVE_UP_MS = 120_000;
const MAX_WAITING = 10_000;
let waiting = 0;

export async function whileUnavailable<T>(work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let delay = 100;
  let counted = false;
  try {
    for (;;) {
      try {
        return await work();
      } catch (err) {
        if (!isUnavailableError(err) || Date.now() - started > GIVE_UP_MS) throw err;
        if (!counted) {
          if (waiting >= MAX_WAITING) throw err;
          waiting++;
          counted = true;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(2_000, delay * 2);
      }
    }
  } finally {
    if (counted) waiting--;
  }
}
