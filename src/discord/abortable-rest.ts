/**
 * A REST client whose every request carries a stop signal: the outbox worker's (a stopping worker
 * drops requests still queued behind a rate limit instead of waiting seconds for the bucket to reset;
 * discord.js honours the signal in its queue, in our global gate and on the wire), a guild sync's,
 * a gap fill's.
 *
 * Each request gets a signal of its own, tied to the stop signal only while it runs: @discordjs/rest
 * adds an abort listener to the signal it is given and never removes it, so handing it one
 * long-lived signal kept a listener (and an AbortController) per request made for as long as that
 * signal lived: the worker's, the process's life.
 */
import { setMaxListeners } from 'node:events';
import type { REST, RequestData, RouteLike } from 'discord.js';

/** Sends `request` with a signal that aborts when `stop` or the caller's own signal does, and lets go of both once settled. */
function withOwnSignal<T>(stop: AbortSignal, data: RequestData | undefined, request: (data: RequestData) => Promise<T>): Promise<T> {
  const own = new AbortController();
  // discord.js adds a listener per attempt (a request waiting out 429s or retried after a timeout is
  // sent again with the same signal); they go with the request, so Node's warning at 10 is noise here.
  setMaxListeners(100, own.signal);
  const sources = [stop, data?.signal].filter((s): s is AbortSignal => s != null);
  const abort = (source: AbortSignal) => () => own.abort(source.reason);
  const listeners = sources.map((s) => ({ s, fn: abort(s) }));
  for (const { s, fn } of listeners) {
    if (s.aborted) { own.abort(s.reason); break; }
    s.addEventListener('abort', fn, { once: true });
  }
  const release = () => { for (const { s, fn } of listeners) s.removeEventListener('abort', fn); };
  return request({ ...data, signal: own.signal }).finally(release);
}

export function abortableRest(rest: REST, stop: AbortSignal): REST {
  const wrapped = Object.create(rest) as REST;
  wrapped.get = (route: RouteLike, o?: RequestData) => withOwnSignal(stop, o, (d) => rest.get(route, d));
  wrapped.post = (route: RouteLike, o?: RequestData) => withOwnSignal(stop, o, (d) => rest.post(route, d));
  wrapped.put = (route: RouteLike, o?: RequestData) => withOwnSignal(stop, o, (d) => rest.put(route, d));
  wrapped.patch = (route: RouteLike, o?: RequestData) => withOwnSignal(stop, o, (d) => rest.patch(route, d));
  wrapped.delete = (route: RouteLike, o?: RequestData) => withOwnSignal(stop, o, (d) => rest.delete(route, d));
  return wrapped;
}
