/**
 * What the bot shows in Discord: component custom ids (parsed back by the gateway), the opening
 * message with its status embed, and short notices. Pure functions, no discord.js client. Every
 * word of ours comes from the message catalogue in the locale the caller chose; staff-written texts
 * (group templates, form labels) are shown as written, or as the group wrote them for that locale.
 */
import { ButtonStyle, ComponentType, TextInputStyle } from 'discord.js';
import type { FormAnswer, FormField, GroupRow, GroupTexts, GroupTranslations, Level, TicketRow } from '../db/schema.js';
import { defaultTicketName } from '../engine/views.js';
import { t, type MessageKey } from '../i18n/catalogue.js';
import type { Locale } from '../i18n/locales.js';

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

/** The group's own texts for `locale` (empty when it wrote none). */
export function groupTexts(group: { translations?: GroupTranslations | undefined }, locale: Locale): GroupTexts {
  return group.translations?.[locale] ?? {};
}

/** A ticket's title: "Ticket #12 · topic" in the locale. */
export function ticketTitle(ticket: Pick<TicketRow, 'number' | 'topic'>, locale: Locale, topicMax = 200): string {
  return `${t(locale, 'opening.title', { number: ticket.number })}${ticket.topic ? ` · ${ticket.topic.slice(0, topicMax)}` : ''}`;
}

const STATUS: Record<'open' | 'closed' | 'locked' | 'deleted', MessageKey> = { open: 'status.open', closed: 'status.closed', locked: 'status.locked', deleted: 'status.deleted' };

export interface MessageBody {
  content?: string;
  embeds?: Array<Record<string, unknown>>;
  components?: Array<Record<string, unknown>>;
  allowed_mentions?: Record<string, unknown>;
  nonce?: string;
  enforce_nonce?: boolean;
}

/** The opening message: who, why (template, message, form answers), state, and Close / Claim buttons. */
export function openingMessage(ticket: TicketRow, group: GroupRow, locale: Locale): MessageBody {
  const tr = (key: MessageKey, params?: Record<string, string | number>) => t(locale, key, params);
  const fields: Array<{ name: string; value: string; inline?: boolean }> = [];
  if (ticket.topic) fields.push({ name: tr('opening.field.topic'), value: ticket.topic.slice(0, 1024) });
  for (const answer of ticket.form as FormAnswer[]) {
    fields.push({ name: answer.title.slice(0, 256) || tr('opening.field.answer'), value: (answer.value || '—').slice(0, 1024) });
  }
  const status = STATUS[ticket.deleted_at ? 'deleted' : ticket.status === 'closed' ? 'closed' : ticket.locked_at ? 'locked' : 'open'];
  fields.push({ name: tr('opening.field.status'), value: tr(status), inline: true });
  fields.push({ name: tr('opening.field.claimedBy'), value: ticket.assigned_id ? `<@${ticket.assigned_id}>` : tr('opening.nobodyYet'), inline: true });
  const priority = levelLabel(group.priority_levels, ticket.priority);
  if (priority) fields.push({ name: tr('opening.field.priority'), value: priority, inline: true });
  const own = groupTexts(group, locale).opening_message;
  const template = own === undefined ? group.opening_message : own;
  const description = [template ? fillTemplate(template, ticket) : null, ticket.opening_message]
    .filter((s): s is string => Boolean(s)).join('\n\n').slice(0, 4096);
  const closed = ticket.status === 'closed';
  return {
    content: [`<@${ticket.owner_id}>`, ...group.staff_role_ids.map((r) => `<@&${r}>`)].join(' '),
    allowed_mentions: { users: [ticket.owner_id], roles: group.staff_role_ids },
    embeds: [{
      title: ticketTitle(ticket, locale),
      ...(description ? { description } : {}),
      fields: fields.slice(0, 25),
      footer: { text: tr('opening.footer', { id: ticket.id }) },
    }],
    components: [{
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Danger, label: tr('button.close'), custom_id: ids.close(ticket.id), disabled: closed },
        { type: ComponentType.Button, style: ButtonStyle.Primary, label: tr('button.claim'), custom_id: ids.claim(ticket.id), disabled: closed || ticket.assigned_id !== null },
      ],
    }],
  };
}

/** The close request: the owner is pinged and answers with a button; the deadline shows as a relative time. */
export function closeRequestMessage(ticket: TicketRow, locale: Locale): MessageBody {
  const requester = ticket.close_requested_by ? `<@${ticket.close_requested_by}>` : t(locale, 'closeRequest.staff');
  const owner = `<@${ticket.owner_id}>`;
  const reason = ticket.close_request_reason?.trim();
  const asked = reason
    ? t(locale, 'closeRequest.messageWithReason', { owner, requester, reason: `${reason}${/[.!?。！？]$/.test(reason) ? '' : '.'}` })
    : t(locale, 'closeRequest.message', { owner, requester });
  const deadline = ticket.close_request_deadline ? ` ${t(locale, 'closeRequest.deadline', { when: `<t:${Math.floor(ticket.close_request_deadline.getTime() / 1000)}:R>` })}` : '';
  return {
    content: `${asked}${deadline}`.slice(0, 2000),
    allowed_mentions: { parse: [], users: [ticket.owner_id] },
    components: [{
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Success, label: t(locale, 'button.acceptClose'), custom_id: ids.acceptClose(ticket.id) },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: t(locale, 'button.keepOpen'), custom_id: ids.keepOpen(ticket.id) },
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
export function feedbackRequest(ticket: TicketRow, group: Pick<GroupRow, 'rating_levels'>, locale: Locale): MessageBody {
  const buttons = ratingLabels(group).map((label, i) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label, custom_id: ids.rate(ticket.id, i + 1) }));
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < buttons.length; i += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  return { content: t(locale, 'feedback.request', { number: ticket.number }), allowed_mentions: { parse: [] }, components: rows };
}

/** The modal for the optional comment that goes with a rating. */
export function feedbackModal(ticketId: string, rating: number, locale: Locale): Record<string, unknown> {
  return {
    custom_id: ids.rateModal(ticketId, rating),
    title: t(locale, 'feedback.modal.title'),
    components: [{
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id: ids.commentField, label: t(locale, 'feedback.modal.comment'), style: TextInputStyle.Paragraph, required: false, max_length: 1000 }],
    }],
  };
}

/** A rating as posted to the feedback channel; nobody is pinged. */
export function feedbackPost(ticket: TicketRow, group: Pick<GroupRow, 'rating_levels'>, locale: Locale): MessageBody {
  const labels = ratingLabels(group);
  const rating = ticket.rating ?? 0;
  const comment = ticket.rating_comment ? `\n> ${ticket.rating_comment.replaceAll('\n', '\n> ')}` : '';
  return notice(`${t(locale, 'feedback.post', { number: ticket.number, label: labels[rating - 1] ?? String(rating), rating, max: labels.length, owner: `<@${ticket.owner_id}>` })}${comment}`);
}

/**
 * A heading over lines, within Discord's 2000 characters: lines that do not fit are counted in a
 * last "… and N more." line.
 */
export function listContent(head: string, lines: readonly string[], locale: Locale): string {
  const out: string[] = [head];
  let length = head.length;
  for (const [i, line] of lines.entries()) {
    const more = t(locale, 'sweep.more', { count: lines.length - i });
    if (length + line.length + 1 + more.length + 1 > 2000) { out.push(more); break; }
    out.push(line);
    length += line.length + 1;
  }
  return out.join('\n').slice(0, 2000);
}

export function notice(text: string): MessageBody {
  return { content: text.slice(0, 2000), allowed_mentions: { parse: [] } };
}

/**
 * The modal of a group's form (at most 5 text inputs): the group's own words, in the member's
 * language where the group wrote them for it.
 */
export function formModal(group: Pick<GroupRow, 'id' | 'name' | 'form_title' | 'form_fields'> & { translations?: GroupTranslations | undefined }, panelId: string | null, locale: Locale): Record<string, unknown> {
  const fields = (group.form_fields as FormField[]).slice(0, 5);
  const own = groupTexts(group, locale);
  return {
    custom_id: ids.openForm(group.id, panelId),
    title: (own.form_title ?? group.form_title ?? group.name).slice(0, 45),
    components: fields.map((f, i) => {
      const label = own.form_fields?.[i]?.label ?? f.label;
      const placeholder = own.form_fields?.[i]?.placeholder ?? f.placeholder;
      return {
        type: ComponentType.ActionRow,
        components: [{
          type: ComponentType.TextInput, custom_id: ids.formField(i), label: label.slice(0, 45),
          style: f.style === 2 ? TextInputStyle.Paragraph : TextInputStyle.Short,
          required: f.required ?? true,
          ...(placeholder ? { placeholder: placeholder.slice(0, 100) } : {}),
          ...(f.min_length !== undefined ? { min_length: f.min_length } : {}),
          ...(f.max_length !== undefined ? { max_length: f.max_length } : {}),
        }],
      };
    }),
  };
}

export function closeModal(ticketId: string, locale: Locale): Record<string, unknown> {
  return {
    custom_id: ids.closeModal(ticketId),
    title: t(locale, 'closeModal.title'),
    components: [{
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id: ids.reasonField, label: t(locale, 'closeModal.reason'), style: TextInputStyle.Paragraph, required: false, max_length: 1000 }],
    }],
  };
}
