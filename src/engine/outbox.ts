/**
 * The outbox's database side: workers claim due Discord jobs with FOR UPDATE SKIP LOCKED, record
 * progress and results, and retry, defer or bury them. Knows nothing of discord.js: the worker in
 * src/discord/ calls these functions around the driver.
 *
 * Ordering: a ticket's jobs run one at a time in id order (a close never overtakes its open), except
 * renames, which read the ticket's current name when they run and so neither wait for nor block others
 * beyond the jobs written before them. Channel message jobs (channel.message.*) form one lane per
 * channel: they run one at a time in id order (messages appear in the order they were queued), and a
 * worker may name channels whose Discord bucket is spent so their lanes are left alone until it resets.
 */
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { GroupRow, JobRow, TicketRow } from '../db/schema.js';
import { systemActor, type Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { appendEvent } from './events.js';
import { enqueueJobs, type JobInput } from './jobs.js';
import { inTransaction, json } from './tx.js';
import type { SweptMessage } from './action-items/extract.js';

export interface OutboxOptions {
  /** Attempts before a job is dead (default 8). */
  maxAttempts?: number;
  /** A running job whose lock is older than this is taken over (its worker died; live workers refresh theirs every third of it). Default 10 s. */
  leaseMs?: number;
  /** First retry delay; doubles each attempt, with jitter (default 1 s, capped at 5 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface ClaimedJob {
  id: string;
  guild_id: string;
  ticket_id: string | null;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** Progress recorded by earlier attempts (created ids, posted message ids …). */
  checkpoint: Record<string, unknown>;
}

/** Ticket fields the driver records after creating Discord objects. */
export interface TicketLink {
  channel_id?: string | null;
  thread_id?: string | null;
  channel_parent_id?: string | null;
  notes_thread_id?: string | null;
  /** The name the channel or thread got instead of the ticket's own, when Discord refused that one. */
  name?: string | null;
}

export interface TicketContext {
  ticket: TicketRow;
  group: GroupRow;
  channelMembers: string[];
  notesMembers: string[];
  /** The owner's last known Discord locale (from their interactions) and the guild's preferred one. */
  ownerLocale: string | null;
  guildLocale: string | null;
}

export interface JobOutcome { id: string; status: 'done' | 'dead' | 'pending' | 'running'; error: string | null }

/** What the running Discord side offers to operations (installed by the app; absent without Discord). */
export interface DiscordPort {
  /** Stops, recording nothing, once `signal` aborts. */
  syncGuild(guildId: string, progress: (done: number, total: number, message: string) => void, signal?: AbortSignal): Promise<GuildSyncReport>;
  /**
   * A channel's messages after `after` (oldest first; at most `max`), or its newest ones when `after`
   * is null. Sweeps read monitored channels through this.
   */
  channelMessages(channelId: string, after: string | null, max: number, signal?: AbortSignal): Promise<SweptMessage[]>;
  /** The bot's own Discord user id. */
  botUserId(): string;
  /** Which Discord this process drives (the real one or the sandbox), where, and whether its session is up. */
  status(): { mode: 'discord' | 'sandbox'; url?: string; ready: boolean };
}

export interface GuildSyncReport {
  guild_id: string; name: string; channels: number; roles: number; emojis: number; members: number;
  created_default_group: boolean;
}

const RENAME = 'ticket.rename';
/** Job kinds that queue per channel (their payload names the channel). */
export const CHANNEL_LANE_KINDS = ['channel.message.send', 'channel.message.edit'] as const;

export interface ClaimOptions {
  /** Channels whose rate-limit bucket is spent: their lanes are not claimed now. */
  blockedChannels?: readonly string[];
}
const toJob = (r: Pick<JobRow, 'id' | 'guild_id' | 'ticket_id' | 'kind' | 'payload' | 'attempts' | 'result'>): ClaimedJob => ({
  id: String(r.id), guild_id: r.guild_id, ticket_id: r.ticket_id, kind: r.kind, payload: r.payload ?? {},
  attempts: r.attempts, checkpoint: r.result ?? {},
});

export function createOutbox(ctx: EngineContext, opts: OutboxOptions = {}) {
  const maxAttempts = opts.maxAttempts ?? 8;
  const leaseMs = opts.leaseMs ?? 10_000;
  const baseDelayMs = opts.baseDelayMs ?? 1_000;
  const maxDelayMs = opts.maxDelayMs ?? 300_000;
  /** In-process news of settled jobs, for waiters (other processes are seen by polling). */
  const settled = new EventEmitter<{ settled: [string]; halt: [] }>();
  settled.setMaxListeners(0);
  let waitBoundMs: number | null = null;
  let port: DiscordPort | null = null;
  /** Set by haltWaits (a stopping process): waiters answer with what they have, new ones don't wait. */
  let halted = false;

  const db = ctx.db;

  async function setTicketStatus(ticketId: string | null, status: 'ok' | 'retrying' | 'dead', error: string | null): Promise<void> {
    if (!ticketId) return;
    let q = db.updateTable('tickets').set({ discord_status: status, discord_error: error }).where('id', '=', ticketId);
    // 'dead' stays until a human looks; success after retries clears 'retrying'/'pending'.
    if (status !== 'dead') q = q.where('discord_status', '!=', 'dead');
    const res = await q.executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) {
      const t = await db.selectFrom('tickets').select('guild_id').where('id', '=', ticketId).executeTakeFirst();
      if (t) ctx.changes.emit('ticket', { guildId: t.guild_id, ticketId });
    }
  }

  const api = {
    maxAttempts,
    leaseMs,

    /** Claims up to `limit` due jobs for `workerId`; each comes back with its attempt counted. */
    async claim(workerId: string, limit: number, opts: ClaimOptions = {}): Promise<ClaimedJob[]> {
      const lease = `${Math.max(1, Math.round(leaseMs))} milliseconds`;
      const blocked = sql.val([...(opts.blockedChannels ?? [])]);
      const laneKinds = sql.val([...CHANNEL_LANE_KINDS]);
      // Lane heads: the oldest open job of each channel lane, found in one pass over open jobs.
      const rows = await sql<JobRow>`
        WITH heads AS (
          SELECT min(h.id) AS id FROM discord_jobs h
          WHERE h.status IN ('pending', 'running') AND h.ticket_id IS NULL AND h.kind = ANY(${laneKinds}::text[])
          GROUP BY h.payload->>'channel_id'
        )
        UPDATE discord_jobs AS j
        SET status = 'running', locked_at = now(), locked_by = ${workerId}, attempts = j.attempts + 1, updated_at = now()
        WHERE j.id IN (
          SELECT c.id FROM discord_jobs c
          WHERE ((c.status = 'pending' AND c.run_at <= now())
                 OR (c.status = 'running' AND c.locked_at < now() - ${lease}::interval))
            AND (c.ticket_id IS NULL OR NOT EXISTS (
              SELECT 1 FROM discord_jobs e
              WHERE e.ticket_id = c.ticket_id AND e.id < c.id AND e.status IN ('pending', 'running')
                AND e.kind <> ${RENAME}))
            AND (c.ticket_id IS NOT NULL OR c.payload->>'panel_id' IS NULL OR NOT EXISTS (
              SELECT 1 FROM discord_jobs p
              WHERE p.ticket_id IS NULL AND p.payload->>'panel_id' = c.payload->>'panel_id'
                AND p.id < c.id AND p.status IN ('pending', 'running')))
            AND (c.ticket_id IS NOT NULL OR NOT (c.kind = ANY(${laneKinds}::text[])) OR (
              c.id IN (SELECT id FROM heads) AND NOT (coalesce(c.payload->>'channel_id', '') = ANY(${blocked}::text[]))))
          ORDER BY c.run_at, c.id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING j.id, j.guild_id, j.ticket_id, j.kind, j.payload, j.attempts, j.result`.execute(db);
      return rows.rows.map(toJob);
    },

    /** Keeps this worker's locks fresh so nobody takes over jobs that are merely slow. */
    async heartbeat(workerId: string, ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable('discord_jobs').set({ locked_at: sql`now()` })
        .where('id', 'in', ids).where('locked_by', '=', workerId).where('status', '=', 'running').execute();
    },

    /** Merges progress into the job's stored result before the next visible step. */
    async checkpoint(job: ClaimedJob, patch: Record<string, unknown>): Promise<void> {
      Object.assign(job.checkpoint, patch);
      await db.updateTable('discord_jobs').set({ result: json(job.checkpoint), updated_at: sql`now()` })
        .where('id', '=', job.id).execute();
    },

    /** Marks the job done, optionally enqueueing follow-up jobs in the same transaction. */
    async complete(job: ClaimedJob, workerId: string, result: Record<string, unknown> = {}, followUps: readonly JobInput[] = []): Promise<void> {
      const markDone = (q: typeof db) => q.updateTable('discord_jobs')
        .set({ status: 'done', result: json({ ...job.checkpoint, ...result }), locked_by: null, locked_at: null, last_error: null, updated_at: sql`now()` })
        .where('id', '=', job.id).where('locked_by', '=', workerId).execute();
      // One statement when there is nothing to enqueue (most jobs): no transaction round trips.
      if (followUps.length === 0) await markDone(db);
      else {
        await inTransaction(db, async (trx) => {
          await markDone(trx);
          await enqueueJobs(trx, followUps);
        });
      }
      await setTicketStatus(job.ticket_id, 'ok', null);
      if (followUps.length > 0) ctx.changes.emit('jobs', { count: followUps.length });
      settled.emit('settled', job.id);
    },

    /**
     * A failed attempt: retried later with exponential backoff and jitter, or dead once it has had
     * its attempts (or at once when `permanent`). The ticket's discord status tells which.
     */
    async fail(job: ClaimedJob, workerId: string, error: string, opts: { permanent?: boolean } = {}): Promise<'retry' | 'dead'> {
      const message = error.slice(0, 1000);
      const dead = opts.permanent === true || job.attempts >= maxAttempts;
      if (dead) {
        await db.updateTable('discord_jobs')
          .set({ status: 'dead', last_error: message, locked_by: null, locked_at: null, updated_at: sql`now()` })
          .where('id', '=', job.id).where('locked_by', '=', workerId).execute();
        await setTicketStatus(job.ticket_id, 'dead', `${job.kind} failed after ${job.attempts} attempt(s): ${message}`);
        settled.emit('settled', job.id);
        return 'dead';
      }
      const delay = backoffMs(job.attempts, baseDelayMs, maxDelayMs);
      await db.updateTable('discord_jobs')
        .set({ status: 'pending', last_error: message, locked_by: null, locked_at: null, run_at: sql`now() + ${`${delay} milliseconds`}::interval`, updated_at: sql`now()` })
        .where('id', '=', job.id).where('locked_by', '=', workerId).execute();
      await setTicketStatus(job.ticket_id, 'retrying', `${job.kind} attempt ${job.attempts} failed, retrying: ${message}`);
      return 'retry';
    },

    /**
     * A stopping worker hands its claimed jobs back: pending again at once, the attempt not counted
     * (it was cut off, not failed), so the next process takes them over without waiting for the lease.
     * What a cut-off attempt already did is found again by the handlers (nonces, checkpoints).
     */
    async release(workerId: string, ids?: readonly string[]): Promise<number> {
      if (ids !== undefined && ids.length === 0) return 0;
      let q = db.updateTable('discord_jobs')
        .set({ status: 'pending', attempts: sql<number>`greatest(0, attempts - 1)`, locked_by: null, locked_at: null, run_at: sql`now()`, updated_at: sql`now()` })
        .where('locked_by', '=', workerId).where('status', '=', 'running');
      if (ids !== undefined) q = q.where('id', 'in', ids);
      const res = await q.executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    /** Puts the job back until `runAt` without counting the attempt (a limit we respect, not a failure). */
    async defer(job: ClaimedJob, workerId: string, runAt: Date, why: string): Promise<void> {
      await db.updateTable('discord_jobs')
        .set({ status: 'pending', attempts: Math.max(0, job.attempts - 1), last_error: why, locked_by: null, locked_at: null, run_at: runAt, updated_at: sql`now()` })
        .where('id', '=', job.id).where('locked_by', '=', workerId).execute();
    },

    /** When the next pending job falls due (null: none), so a worker can sleep exactly that long. */
    async nextDueAt(opts: ClaimOptions = {}): Promise<Date | null> {
      const blocked = [...(opts.blockedChannels ?? [])];
      let q = db.selectFrom('discord_jobs').select((eb) => eb.fn.min('run_at').as('at')).where('status', '=', 'pending');
      if (blocked.length > 0) {
        q = q.where(sql<boolean>`NOT (ticket_id IS NULL AND kind = ANY(${sql.val([...CHANNEL_LANE_KINDS])}::text[])
          AND coalesce(payload->>'channel_id', '') = ANY(${sql.val(blocked)}::text[]))`);
      }
      const row = await q.executeTakeFirst();
      const at = row?.at as Date | string | null | undefined;
      return at ? new Date(at) : null;
    },

    /** Records created Discord objects on the ticket at once, with an event, before anything else happens. */
    async linkTicket(ticketId: string, link: TicketLink, actor: Actor = systemActor): Promise<void> {
      const patch = Object.fromEntries(Object.entries(link).filter(([, v]) => v !== undefined)) as TicketLink;
      if (Object.keys(patch).length === 0) return;
      const guildId = await inTransaction(db, async (trx) => {
        const t = await trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).forUpdate().executeTakeFirst();
        if (!t) return null;
        const changed = Object.entries(patch).some(([k, v]) => t[k as keyof TicketLink] !== v);
        if (!changed) return null;
        await trx.updateTable('tickets').set({ ...patch, version: t.version + 1 }).where('id', '=', ticketId).execute();
        await appendEvent(trx, actor, { ticketId, guildId: t.guild_id, kind: 'discord_linked', data: { changes: patch } });
        return t.guild_id;
      });
      if (guildId) ctx.changes.emit('ticket', { guildId, ticketId });
    },

    async setOpeningMessage(ticketId: string, messageId: string): Promise<void> {
      await db.updateTable('tickets').set({ opening_message_id: messageId }).where('id', '=', ticketId).execute();
    },

    /** Renames this ticket's channel has had in the last `windowMs` (Discord allows about 2 per 10 min). */
    async recentRenames(ticketId: string, windowMs: number): Promise<Date[]> {
      const rows = await db.selectFrom('discord_jobs').select('result')
        .where('ticket_id', '=', ticketId).where('kind', '=', RENAME).where('status', '=', 'done')
        .where('updated_at', '>', sql<Date>`now() - ${`${windowMs} milliseconds`}::interval`).execute();
      return rows.map((r) => r.result?.['renamed_at']).filter((v): v is string => typeof v === 'string').map((v) => new Date(v));
    },

    /** A later rename of the same ticket is queued: this one has nothing left to do. */
    async laterRenameQueued(job: ClaimedJob): Promise<boolean> {
      if (!job.ticket_id) return false;
      const row = await db.selectFrom('discord_jobs').select('id').where('ticket_id', '=', job.ticket_id)
        .where('kind', '=', RENAME).where('status', 'in', ['pending', 'running'])
        .where(sql<string>`id`, '>', sql<string>`${job.id}::bigint`).executeTakeFirst();
      return row !== undefined;
    },

    /** The job's current state (tests and waiters). */
    async outcome(ids: readonly string[]): Promise<JobOutcome[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('discord_jobs').select(['id', 'status', 'last_error']).where('id', 'in', ids).execute();
      return rows.map((r) => ({ id: String(r.id), status: r.status, error: r.last_error }));
    },

    /** Resolves once every job is done or dead, or when `timeoutMs` passes (whatever is pending stays pending). */
    async waitForJobs(ids: readonly string[], timeoutMs: number): Promise<JobOutcome[]> {
      const deadline = Date.now() + timeoutMs;
      const isOpen = (o: JobOutcome) => o.status === 'pending' || o.status === 'running';
      let remaining = new Set((await api.outcome(ids)).filter(isOpen).map((o) => o.id));
      while (remaining.size > 0 && Date.now() < deadline && !halted) {
        // In-process settles tick jobs off at once; a poll sees other processes' work: after 250 ms
        // without local news, or every 2 s while local jobs keep settling (a long wait on a big
        // batch would otherwise re-read every remaining id four times a second).
        await new Promise<void>((resolve) => {
          const until = Math.min(deadline, Date.now() + 2_000);
          let timer = setTimeout(finish, Math.min(250, Math.max(1, until - Date.now())));
          const onSettled = (id: string) => {
            if (!remaining.delete(id)) return;
            if (remaining.size === 0) { finish(); return; }
            clearTimeout(timer);
            timer = setTimeout(finish, Math.min(250, Math.max(1, until - Date.now())));
          };
          function finish() { clearTimeout(timer); settled.off('settled', onSettled); settled.off('halt', finish); resolve(); }
          settled.on('settled', onSettled);
          settled.once('halt', finish);
        });
        if (remaining.size > 0) remaining = new Set((await api.outcome([...remaining])).filter(isOpen).map((o) => o.id));
      }
      return api.outcome(ids);
    },

    /**
     * Operations that create Discord objects wait (bounded) for their job, so the caller gets the
     * created ids back. A no-op until a worker is running in this process (setWaitBound).
     */
    async settleTicketJobs(ticketId: string, kinds: readonly string[]): Promise<boolean> {
      if (waitBoundMs === null || waitBoundMs <= 0 || halted) return false;
      const rows = await db.selectFrom('discord_jobs').select('id').where('ticket_id', '=', ticketId)
        .where('kind', 'in', kinds).where('status', 'in', ['pending', 'running']).execute();
      if (rows.length === 0) return false;
      await api.waitForJobs(rows.map((r) => String(r.id)), waitBoundMs);
      return true;
    },

    setWaitBound(ms: number | null): void { waitBoundMs = ms; halted = false; },

    /**
     * The process is stopping: every bounded wait ends now and answers with what it has (e.g. a
     * ticket whose channel is still pending), and later operations do not wait. setWaitBound undoes it.
     */
    haltWaits(): void { halted = true; settled.emit('halt'); },

    installPort(p: DiscordPort | null): void { port = p; },
    port(): DiscordPort | null { return port; },

    /** Open tickets of a member who left, in groups that close on leave. */
    async ticketsClosingOnLeave(guildId: string, userId: string): Promise<Array<Pick<TicketRow, 'id' | 'number'>>> {
      return db.selectFrom('tickets').innerJoin('ticket_groups', 'ticket_groups.id', 'tickets.group_id')
        .select(['tickets.id', 'tickets.number'])
        .where('tickets.guild_id', '=', guildId).where('tickets.owner_id', '=', userId)
        .where('tickets.status', '=', 'open').where('tickets.deleted_at', 'is', null)
        .where('ticket_groups.close_on_leave', '=', true).execute();
    },

    /** Everything a job needs to know about its ticket, read fresh when the job runs. */
    async ticketContext(ticketId: string): Promise<TicketContext | null> {
      const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
      if (!ticket) return null;
      const group = await db.selectFrom('ticket_groups').selectAll().where('id', '=', ticket.group_id).executeTakeFirstOrThrow();
      const members = await db.selectFrom('ticket_members').select(['user_id', 'scope']).where('ticket_id', '=', ticketId).orderBy('added_at').execute();
      const owner = await db.selectFrom('users').select('locale').where('id', '=', ticket.owner_id).executeTakeFirst();
      const guild = await db.selectFrom('guilds').select('preferred_locale').where('id', '=', ticket.guild_id).executeTakeFirst();
      return {
        ticket, group, ownerLocale: owner?.locale ?? null, guildLocale: guild?.preferred_locale ?? null,
        channelMembers: members.filter((m) => m.scope === 'channel').map((m) => m.user_id),
        notesMembers: members.filter((m) => m.scope === 'notes').map((m) => m.user_id),
      };
    },

    /** A user's last known Discord locale (remembered from their interactions), or null. */
    async userLocale(userId: string): Promise<string | null> {
      return (await db.selectFrom('users').select('locale').where('id', '=', userId).executeTakeFirst())?.locale ?? null;
    },

    /** The languages a message outside any ticket may take: the group's own (when given), then the guild's preferred one. */
    async localesOf(guildId: string, groupId: string | null): Promise<Array<string | null>> {
      const guild = await db.selectFrom('guilds').select('preferred_locale').where('id', '=', guildId).executeTakeFirst();
      const group = groupId ? await db.selectFrom('ticket_groups').select('locale').where('id', '=', groupId).executeTakeFirst() : undefined;
      return [group?.locale ?? null, guild?.preferred_locale ?? null];
    },

    /** Members holding one of `roleIds` (staff to add to a private thread), at most `limit`. */
    async membersWithRoles(guildId: string, roleIds: readonly string[], limit = 50): Promise<string[]> {
      if (roleIds.length === 0) return [];
      const rows = await db.selectFrom('members').select('user_id').where('guild_id', '=', guildId).where('left_at', 'is', null)
        .where(sql<boolean>`jsonb_exists_any(roles, ${sql.val([...roleIds])}::text[])`).orderBy('user_id').limit(limit).execute();
      return rows.map((r) => r.user_id);
    },

    /** Another ticket already holds this channel or thread (a retry must not adopt it). */
    async channelTaken(channelId: string, exceptTicketId: string): Promise<boolean> {
      const row = await db.selectFrom('tickets').select('id').where('id', '!=', exceptTicketId)
        .where((eb) => eb.or([eb('channel_id', '=', channelId), eb('thread_id', '=', channelId), eb('notes_thread_id', '=', channelId)])).executeTakeFirst();
      return row !== undefined;
    },

    /** Where a panel's message now lives (the panel row was read when the job ran). */
    async recordPanelMessage(guildId: string, panelId: string, channelId: string, messageId: string): Promise<void> {
      const res = await db.updateTable('panels').set({ channel_id: channelId, message_id: messageId, updated_at: sql`now()` })
        .where('id', '=', panelId).where('guild_id', '=', guildId)
        .where(sql<boolean>`(channel_id, message_id) IS DISTINCT FROM (${channelId}, ${messageId})`).executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) ctx.changes.emit('guild', { guildId });
    },

    /** Jobs running or due now, in one snapshot (idle checks). */
    async busy(): Promise<number> {
      const row = await db.selectFrom('discord_jobs').select((eb) => eb.fn.countAll<string>().as('n'))
        .where((eb) => eb.or([eb('status', '=', 'running'), eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', sql<Date>`now() + interval '50 milliseconds'`)])]))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Counts per status (health and benchmarks). */
    async counts(): Promise<Record<string, number>> {
      const rows = await db.selectFrom('discord_jobs').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
  return api;
}

export type Outbox = ReturnType<typeof createOutbox>;

/** Exponential backoff with jitter: base·2^(n−1), capped, then a random point in its upper half. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
