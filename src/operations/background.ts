/**
 * Running a catalogue operation in the background: the call is checked (ability, input, guild scope)
 * and recorded as a run (src/engine/background-runs.ts) before the caller gets its id, then runs on in
 * this process with an AbortSignal. Any process on the same database answers reads and cancels from
 * the row; this one keeps the row's heartbeat going while the work runs, records progress there, and
 * aborts the work when a cancel is asked for (at once when it lands here, else on the next heartbeat).
 *
 * One runner per engine (per process): it holds the in-flight work of this process, nothing a later
 * request needs. A clean stop aborts what still runs and marks it failed with a reason; a process that
 * dies is detected by its silent heartbeat (the engine finishes its runs as failed).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Actor } from '../engine/actor.js';
import { canAccessGuild } from '../engine/actor.js';
import type { RunOutcome, RunView } from '../engine/background-runs.js';
import { asUnavailable, isEngineError } from '../engine/errors.js';
import type { Engine } from '../engine/index.js';
import { admit, invoke, type AnyOperation } from './define.js';

export interface BackgroundOptions {
  /** How often the heartbeat runs (and cancel requests from other processes are read), ms. */
  heartbeatMs: number;
  /** A run whose process has been silent this long is finished as failed, ms. */
  leaseMs: number;
  /** Unexpected failures of the work (bugs) and of the heartbeat are reported here. */
  onError?: (err: unknown, what: string) => void;
}

/** Whose runs a caller may see: its token, or the local operator. */
export const ownerOf = (actor: Actor): string => actor.tokenId ?? 'operator';

/** Why runs still going when their process stops cleanly end as failed. */
export const STOPPED_CLEANLY = 'The server running this task was stopped (a restart or shutdown) before it finished. Nothing after its last completed step was kept; run it again.';

interface Active { abort: AbortController; message: string | null; done: Promise<void> }

export class BackgroundRunner {
  /** This process's name on the runs it holds. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly active = new Map<string, Active>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly engine: Engine, readonly options: BackgroundOptions) {}

  /**
   * Checks the call and starts it; resolves with the recorded run once a read from any process would
   * find it. A call that fails its checks throws here (the caller answers it at once).
   */
  async start(op: AnyOperation, actor: Actor, rawInput: unknown, requestId: string): Promise<RunView> {
    const input = admit(op, actor, rawInput) as { guild_id?: unknown };
    const run = await this.engine.backgroundRuns.start({
      operation: op.name, owner: ownerOf(actor), guildId: typeof input.guild_id === 'string' ? input.guild_id : null,
      holder: this.holder, statusMessage: `${op.title}: started`,
    });
    const abort = new AbortController();
    const entry: Active = { abort, message: null, done: Promise.resolve() };
    this.active.set(run.id, entry);
    entry.done = this.work(run.id, op, actor, rawInput, requestId, entry).finally(() => {
      this.active.delete(run.id);
      if (this.active.size === 0) this.pause();
    });
    this.resume();
    return run;
  }

  private async work(id: string, op: AnyOperation, actor: Actor, rawInput: unknown, requestId: string, entry: Active): Promise<void> {
    const signal = entry.abort.signal;
    let outcome: RunOutcome;
    try {
      const output = await invoke(op, {
        engine: this.engine, actor, requestId, signal,
        progress: (done, total, message) => { entry.message = message ?? (total ? `${done} of ${total}` : `${done}`); },
      }, rawInput);
      outcome = { status: 'done', result: output, message: `${op.title}: done` };
    } catch (err) {
      const known = isEngineError(err) ? err : asUnavailable(err);
      if (signal.aborted && (!known || known.details['cancelled'] === true)) {
        // The operation's own sentence says what stands (e.g. a transcript save already recorded).
        outcome = this.stopped ? { status: 'failed', message: STOPPED_CLEANLY }
          : { status: 'cancelled', message: `${op.name} was cancelled. ${known?.message ?? 'Nothing after the cancellation point was changed.'}` };
      } else if (known) {
        const { fields, retryAfterSeconds } = known.details;
        outcome = { status: 'refused', code: known.code, message: known.message, details: { ...(fields ? { fields } : {}), ...(retryAfterSeconds !== undefined ? { retry_after_seconds: retryAfterSeconds } : {}) } };
      } else {
        this.options.onError?.(err, `background ${op.name} failed unexpectedly`);
        outcome = { status: 'failed', message: `${op.name} failed because of an internal error on the server (it has been logged). Run it again; if it fails again, report it with the time of the call.` };
      }
    }
    try {
      await this.engine.backgroundRuns.finish(id, this.holder, outcome);
    } catch (err) {
      // The row stays "running" with a silent heartbeat: whoever reads it next finishes it as failed.
      this.options.onError?.(err, `could not record how background ${op.name} ended`);
    }
  }

  /** The run as its owner sees it (null: none, another token's, or outside the token's guilds). */
  async get(id: string, actor: Actor): Promise<RunView | null> {
    const run = await this.engine.backgroundRuns.get(id, ownerOf(actor), this.options.leaseMs);
    if (!run || (run.guildId !== null && !canAccessGuild(actor, run.guildId))) return null;
    return run;
  }

  /** Asks the run to stop (false: no such run for this caller). Work running here stops at once. */
  async cancel(id: string, actor: Actor): Promise<boolean> {
    if (!(await this.get(id, actor))) return false;
    await this.engine.backgroundRuns.requestCancel(id, ownerOf(actor));
    this.active.get(id)?.abort.abort();
    return true;
  }

  /** How many runs this process is working on. */
  get running(): number { return this.active.size; }

  private resume(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => { this.beating ??= this.beat().finally(() => { this.beating = undefined; }); }, this.options.heartbeatMs);
    this.timer.unref();
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    const runs = [...this.active.entries()].map(([id, a]) => ({ id, statusMessage: a.message }));
    try {
      const cancelled = await this.engine.backgroundRuns.heartbeat(this.holder, runs);
      for (const id of cancelled) this.active.get(id)?.abort.abort();
    } catch (err) {
      this.options.onError?.(err, 'background run heartbeat failed; the next one retries');
    }
  }

  /** A clean stop: the work still running is aborted and its runs end as failed, saying why. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pause();
    const all = [...this.active.values()];
    for (const a of all) a.abort.abort();
    await Promise.all(all.map((a) => a.done));
    await this.beating;
  }
}

const runners = new WeakMap<Engine, BackgroundRunner>();

/** This process's runner for `engine` (created on first use with these options). */
export function backgroundRunner(engine: Engine, options: BackgroundOptions): BackgroundRunner {
  let runner = runners.get(engine);
  if (!runner) {
    runner = new BackgroundRunner(engine, options);
    runners.set(engine, runner);
  }
  return runner;
}

/** Stops this process's runner for `engine`, if one was started (a server's clean stop). */
export async function stopBackgroundRuns(engine: Engine): Promise<void> {
  await runners.get(engine)?.stop();
}
