/** The outbox: Discord effects are rows written in the same transaction as the change they follow. */
import type { Tx } from './tx.js';
import { json } from './tx.js';

export type JobKind =
  | 'ticket.open' | 'ticket.close' | 'ticket.reopen' | 'ticket.delete' | 'ticket.move'
  | 'ticket.lock' | 'ticket.unlock' | 'ticket.assign' | 'ticket.rename' | 'ticket.owner'
  | 'ticket.priority' | 'ticket.member.add' | 'ticket.member.remove'
  | 'ticket.notes.create' | 'ticket.notes.member.add' | 'ticket.notes.member.remove' | 'ticket.notice' | 'ticket.close.request'
  | 'ticket.feedback.request' | 'ticket.feedback.post'
  | 'transcript.post' | 'transcript.send' | 'message.capture'
  | 'channel.message.send' | 'channel.message.edit'
  | 'panel.post' | 'panel.remove' | 'guild.sync' | 'guild.provision';

export interface JobInput {
  guildId: string;
  ticketId?: string | null | undefined;
  kind: JobKind;
  payload?: Record<string, unknown> | undefined;
}

/** The row a job becomes (also used where the insert rides in another statement). */
export function jobRow(j: JobInput) {
  return { guild_id: j.guildId, ticket_id: j.ticketId ?? null, kind: j.kind, payload: json(j.payload ?? {}) };
}

export async function enqueueJobs(trx: Tx, jobs: readonly JobInput[]): Promise<string[]> {
  if (jobs.length === 0) return [];
  const rows = await trx.insertInto('discord_jobs').values(jobs.map(jobRow)).returning('id').execute();
  return rows.map((r) => r.id);
}
