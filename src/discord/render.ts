/**
 * What the bot shows in Discord: component custom ids (parsed back by the gateway), the opening
 * message with its status embed, and short notices. Pure functions, no discord.js client.
 */
import { ButtonStyle, ComponentType, TextInputStyle } from 'discord.js';
import type { FormAnswer, FormField, GroupRow, Level, TicketRow } from '../db/schema.js';
import { defaultTicketName } from '../engine/views.js';

/** Custom ids: `tb:<verb>:<id>[:<id>]`, at most 100 characters. */
export const ids = {
  close: (ticketId: string) => `tb:close:${ticketId}`,
  claim: (ticketId: string) => `tb:claim:${ticketId}`,
  closeModal: (ticketId: string) => `tb:closeform:${ticketId}`,
  acceptClose: (ticketId: string) => `tb:reqclose:${ticketId}`,
  keepOpen: (ticketId: string) => `tb:reqkeep:${ticketId}`,
  rate: (ticketId: string, rating: number) => `tb:rate:${ticketId}:${rating}`,
  rateModal: (ticketId: string, rating: number) => `tb:rateform:${ticketId}:${rating}`,
  commentField: 'comment',
  panelOption: (panelId: string, optionId: string) => `tb:panel:${panelId}:${optionId}`,
  panelSelect: (panelId: string) => `tb:panelsel:${panelId}`,
  openForm: (groupId: string, panelId: string | null) => `tb:form:${groupId}:${panelId ?? '-'}`,
  formField: (index: number) => `field_${index}`,
  reasonField: 'reason',
};

export type ParsedId =
  | { verb: 'close' | 'claim' | 'closeform' | 'reqclose' | 'reqkeep'; ticketId: string }
  | { verb: 'panel'; panelId: string; optionId: string }
  | { verb: 'panelsel'; panelId: string }
  | { verb: 'form'; groupId: string; panelId: string | null }
  | { verb: 'rate' | 'rateform'; ticketId: string; rating: number };

export function parseCustomId(customId: string): ParsedId | null {
  const [prefix, verb, a, b] = customId.split(':');
  if (prefix !== 'tb' || !verb || !a) return null;
  if (verb === 'close' || verb === 'claim' || verb === 'closeform' || verb === 'reqclose' || verb === 'reqkeep') return { verb, ticketId: a };
  if (verb === 'panel' && b) return { verb, panelId: a, optionId: b };
  if (verb === 'panelsel') return { verb, panelId: a };
  if (verb === 'form' && b) return { verb, groupId: a, panelId: b === '-' ? null : b };
  if ((verb === 'rate' || verb === 'rateform') && b && /^\d{1,2}$/.test(b)) return { verb, ticketId: a, rating: Number(b) };
  return null;
}

export function ticketName(ticket: TicketRow, group: Pick<GroupRow, 'name_template'>): string {
  return ticket.name ?? defaultTicketName(group.name_template, ticket);
}

/**
 * The name a ticket channel or thread takes when Discord's word filter refuses its own: letters
 * only (no number, where the filter struck), fixed per ticket so a retry looks for the same name.
 */
export function fallbackTicketName(ticket: Pick<TicketRow, 'id'>): string {
  let n = BigInt(ticket.id);
  let letters = '';
  for (let i = 0; i < 8; i++) { letters += String.fromCharCode(97 + Number(n % 26n)); n /= 26n; }
  return `ticket-${letters}`;
}

/** Discord's text channel name rules, so comparing with what Discord stored is meaningful. */
export function channelSlug(name: string): string {
  const slug = name.toLowerCase().replace(/\s+/g, '-').replace(/[^\p{L}\p{N}_-]/gu, '').replace(/-+/g, '-').slice(0, 100);
  return slug || 'ticket';
}

const levelLabel = (levels: readonly Level[], i: number | null): string | null => (i === null ? null : levels[i]?.label ?? String(i));

function fillTemplate(template: string, ticket: TicketRow): string {
  return template.replaceAll('{user}', `<@${ticket.owner_id}>`).replaceAll('{owner}', `<@${ticket.owner_id}>`)
    .replaceAll('{number}', String(ticket.number)).replaceAll('{id}', ticket.id);
}

export interface MessageBody {
  content?: string;
  embeds?: Array<Record<string, unknown>>;
  components?: Array<Record<string, unknown>>;
  allowed_mentions?: Record<string, unknown>;
  nonce?: string;
  enforce_nonce?: boolean;
}

/** The opening message: who, why (template, message, form answers), state, and Close / Claim buttons. */
export function openingMessage(ticket: TicketRow, group: GroupRow): MessageBody {
  const fields: Array<{ name: string; value: string; inline?: boolean }> = [];
  if (ticket.topic) fields.push({ name: 'Topic', value: ticket.topic.slice(0, 1024) });
  for (const answer of ticket.form as FormAnswer[]) {
    fields.push({ name: answer.title.slice(0, 256) || 'Answer', value: (answer.value || '—').slice(0, 1024) });
  }
  const status = ticket.deleted_at ? 'Deleted' : ticket.status === 'closed' ? 'Closed' : ticket.locked_at ? 'Locked' : 'Open';
  fields.push({ name: 'Status', value: status, inline: true });
  fields.push({ name: 'Claimed by', value: ticket.assigned_id ? `<@${ticket.assigned_id}>` : 'nobody yet', inline: true });
  const priority = levelLabel(group.priority_levels, ticket.priority);
  if (priority) fields.push({ name: 'Priority', value: priority, inline: true });
  const description = [group.opening_message ? fillTemplate(group.opening_message, ticket) : null, ticket.opening_message]
    .filter((s): s is string => Boolean(s)).join('\n\n').slice(0, 4096);
  const closed = ticket.status === 'closed';
  return {
    content: [`<@${ticket.owner_id}>`, ...group.staff_role_ids.map((r) => `<@&${r}>`)].join(' '),
    allowed_mentions: { users: [ticket.owner_id], roles: group.staff_role_ids },
    embeds: [{
      title: `Ticket #${ticket.number}${ticket.topic ? ` · ${ticket.topic.slice(0, 200)}` : ''}`,
      ...(description ? { description } : {}),
      fields: fields.slice(0, 25),
      footer: { text: `Ticket ${ticket.id}` },
    }],
    components: [{
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Close', custom_id: ids.close(ticket.id), disabled: closed },
        { type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Claim', custom_id: ids.claim(ticket.id), disabled: closed || ticket.assigned_id !== null },
      ],
    }],
  };
}

/** The close request: the owner is pinged and answers with a button; the deadline shows as a relative time. */
export function closeRequestMessage(ticket: TicketRow): MessageBody {
  const by = ticket.close_requested_by ? `<@${ticket.close_requested_by}>` : 'Staff';
  const reason = ticket.close_request_reason?.trim();
  const deadline = ticket.close_request_deadline ? ` Without an answer it closes by itself <t:${Math.floor(ticket.close_request_deadline.getTime() / 1000)}:R>.` : '';
  return {
    content: `<@${ticket.owner_id}> ${by} thinks this ticket can be closed${reason ? `: ${reason}${/[.!?]$/.test(reason) ? '' : '.'}` : '.'}${deadline}`.slice(0, 2000),
    allowed_mentions: { parse: [], users: [ticket.owner_id] },
    components: [{
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Success, label: 'Close ticket', custom_id: ids.acceptClose(ticket.id) },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Keep it open', custom_id: ids.keepOpen(ticket.id) },
      ],
    }],
  };
}

/** The rating buttons: the group's rating levels, or 1–5 stars. */
function ratingLabels(group: Pick<GroupRow, 'rating_levels'>): string[] {
  const levels = group.rating_levels as Level[];
  return levels.length > 0 ? levels.map((l) => l.label.slice(0, 80)) : [1, 2, 3, 4, 5].map((n) => '⭐'.repeat(n));
}

/** The DM asking the owner of a closed ticket to rate it: one button per rating, five to a row. */
export function feedbackRequest(ticket: TicketRow, group: Pick<GroupRow, 'rating_levels'>): MessageBody {
  const buttons = ratingLabels(group).map((label, i) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label, custom_id: ids.rate(ticket.id, i + 1) }));
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < buttons.length; i += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  return { content: `How did we do with your ticket #${ticket.number}? Pick a rating; you can add a comment next.`, allowed_mentions: { parse: [] }, components: rows };
}

/** The modal for the optional comment that goes with a rating. */
export function feedbackModal(ticketId: string, rating: number): Record<string, unknown> {
  return {
    custom_id: ids.rateModal(ticketId, rating),
    title: 'Your feedback',
    components: [{
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id: ids.commentField, label: 'Anything to add? (optional)', style: TextInputStyle.Paragraph, required: false, max_length: 1000 }],
    }],
  };
}

/** A rating as posted to the feedback channel; nobody is pinged. */
export function feedbackPost(ticket: TicketRow, group: Pick<GroupRow, 'rating_levels'>): MessageBody {
  const labels = ratingLabels(group);
  const rating = ticket.rating ?? 0;
  const comment = ticket.rating_comment ? `\n> ${ticket.rating_comment.replaceAll('\n', '\n> ')}` : '';
  return notice(`📝 Ticket #${ticket.number} rated ${labels[rating - 1] ?? rating} (${rating}/${labels.length}) by <@${ticket.owner_id}>${comment}`);
}

export function notice(text: string): MessageBody {
  return { content: text.slice(0, 2000), allowed_mentions: { parse: [] } };
}

/** The modal of a group's form (at most 5 text inputs). */
export function formModal(group: Pick<GroupRow, 'id' | 'name' | 'form_title' | 'form_fields'>, panelId: string | null): Record<string, unknown> {
  const fields = (group.form_fields as FormField[]).slice(0, 5);
  return {
    custom_id: ids.openForm(group.id, panelId),
    title: (group.form_title ?? group.name).slice(0, 45),
    components: fields.map((f, i) => ({
      type: ComponentType.ActionRow,
      components: [{
        type: ComponentType.TextInput, custom_id: ids.formField(i), label: f.label.slice(0, 45),
        style: f.style === 2 ? TextInputStyle.Paragraph : TextInputStyle.Short,
        required: f.required ?? true,
        ...(f.placeholder ? { placeholder: f.placeholder.slice(0, 100) } : {}),
        ...(f.min_length !== undefined ? { min_length: f.min_length } : {}),
        ...(f.max_length !== undefined ? { max_length: f.max_length } : {}),
      }],
    })),
  };
}

export function closeModal(ticketId: string): Record<string, unknown> {
  return {
    custom_id: ids.closeModal(ticketId),
    title: 'Close ticket',
    components: [{
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id: ids.reasonField, label: 'Reason (optional)', style: TextInputStyle.Paragraph, required: false, max_length: 1000 }],
    }],
  };
}
