/** Every Discord job kind the engine writes, and the handler that performs it. */
import type { JobKind } from '../../engine/jobs.js';
import { syncGuild } from '../guild-sync.js';
import { captureMessage } from './capture.js';
import type { JobHandler } from './context.js';
import { editChannelMessage, sendChannelMessage } from './messages.js';
import { postPanel, removePanel } from './panels.js';
import { renameTicket } from './rename.js';
import * as t from './tickets.js';
import { postTranscript, sendTranscript } from './transcripts.js';

const guildSync: JobHandler = async (c) => {
  const report = await syncGuild({ rest: c.rest, engine: c.engine, botUserId: c.botUserId, guildId: c.job.guild_id });
  return { result: { ...report } };
};

export const handlers: Record<JobKind, JobHandler> = {
  'ticket.open': t.openTicket,
  'ticket.close': t.closeTicket,
  'ticket.reopen': t.reopenTicket,
  'ticket.delete': t.deleteTicket,
  'ticket.move': t.moveTicket,
  'ticket.lock': t.lockTicket,
  'ticket.unlock': t.unlockTicket,
  'ticket.assign': t.assignTicket,
  'ticket.rename': renameTicket,
  'ticket.owner': t.changeOwner,
  'ticket.priority': t.setPriority,
  'ticket.member.add': t.addMember,
  'ticket.member.remove': t.removeMember,
  'ticket.notes.create': t.createNotes,
  'ticket.notes.member.add': t.addNotesMember,
  'ticket.notes.member.remove': t.removeNotesMember,
  'ticket.notice': t.postNotice,
  'ticket.close.request': t.postCloseRequest,
  'ticket.feedback.request': t.requestFeedback,
  'ticket.feedback.post': t.postFeedback,
  'transcript.post': postTranscript,
  'transcript.send': sendTranscript,
  'message.capture': captureMessage,
  'channel.message.send': sendChannelMessage,
  'channel.message.edit': editChannelMessage,
  'panel.post': postPanel,
  'panel.remove': removePanel,
  'guild.sync': guildSync,
  'guild.provision': guildSync,
};

export function handlerFor(kind: string): JobHandler | undefined {
  return (handlers as Record<string, JobHandler>)[kind];
}
