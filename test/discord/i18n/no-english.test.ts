/**
 * Japanese as a pseudo-locale: its catalogue has no Latin words, so everything our renderers build
 * for people (opening message, close request, feedback DM and post, forms, panels, lists, working
 * hours, the MCP transcript pages), rendered in Japanese from staff texts written in Japanese, must
 * hold no plain English word. A word of ours that bypasses the catalogue shows up here, wherever
 * it was written.
 */
import { describe, expect, it } from 'vitest';
import type { GroupRow, TicketRow } from '../../../src/db/schema.js';
import type { PanelView } from '../../../src/engine/panels.js';
import { panelMessage } from '../../../src/discord/jobs/panels.js';
import {
  closeModal, closeRequestMessage, feedbackModal, feedbackPost, feedbackRequest, formModal, listContent, openingMessage,
} from '../../../src/discord/render.js';
import { describeSchedule } from '../../../src/discord/working-hours.js';
import { collect } from '../../../src/mcp/transcript/chunks.js';
import { renderHtml } from '../../../src/mcp/transcript/html.js';
import { renderMarkdown } from '../../../src/mcp/transcript/markdown.js';
import type { TicketData, TranscriptMessage } from '../../../src/mcp/transcript/types.js';

const OWNER = '849383430663776372';
const STAFF = '601082144459178129';
const at = new Date('2030-01-01T10:00:00Z');

const ticket = {
  id: '1441604990945854001', guild_id: '1441604990945853400', group_id: '1441604990945853600', number: 7, status: 'open', name: null,
  topic: 'ログインできません', owner_id: OWNER, assigned_id: STAFF, priority: 0, form: [{ title: '何がありましたか？', value: 'パスワードが通らない' }],
  opening_message: 'よろしくお願いします', deleted_at: null, locked_at: at, rating: 4, rating_comment: 'ありがとう',
  close_requested_by: STAFF, close_request_reason: '解決済み', close_request_deadline: new Date('2030-01-02T10:00:00Z'),
} as unknown as TicketRow;

const group = {
  id: '1441604990945853600', name: 'サポート', name_template: 'ticket-{number}', staff_role_ids: ['1441604990945853700'],
  opening_message: 'ようこそ {user}', priority_levels: [{ label: '高' }], rating_levels: [], form_title: '詳しく教えてください',
  form_fields: [{ label: '何がありましたか？', placeholder: '例：エラー', style: 2 }], translations: {},
} as unknown as GroupRow;

const panel = {
  id: '1441604990945853800', name: 'ヘルプ', title: null, description: null, color: null, image_url: null, thumbnail_url: null, footer: null,
  placeholder: null, component: 'select', options: [{ id: '1441604990945853801', title: '返金', description: null, emoji_id: null, emoji_name: null, style: 1 }],
} as unknown as PanelView;

/** Every string people read in a message body or modal (ids and URLs are for machines). */
function texts(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return ['custom_id', 'url', 'value_id'].includes(key) ? [] : [value];
  if (Array.isArray(value)) return value.flatMap((v) => texts(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (k === 'custom_id' || k === 'allowed_mentions' ? [] : texts(v, k)));
  return [];
}

/** English words left after taking out what is not language: mentions, timestamps, URLs, ids, times, markup, names. */
function englishWords(text: string): string[] {
  const stripped = text
    .replace(/<style>[\s\S]*?<\/style>/g, ' ').replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, ' ')
    .replace(/\b(?:Discord|UTC|ID|image\/png|ticket-\d+)\b|\.png\b/g, ' ').replace(/\/ticket\b/g, ' ');
  return stripped.match(/[A-Za-z]{3,}/g) ?? [];
}

describe('nothing of ours reaches people in English when they read Japanese', () => {
  it('Discord messages, forms, panels, lists and working hours', () => {
    const rendered: Record<string, unknown> = {
      opening: openingMessage(ticket, group, 'ja'),
      closeRequest: closeRequestMessage(ticket, 'ja'),
      feedbackRequest: feedbackRequest(ticket, group, 'ja'),
      feedbackModal: feedbackModal(ticket.id, 4, 'ja'),
      feedbackPost: feedbackPost(ticket, group, 'ja'),
      formModal: formModal(group, null, 'ja'),
      closeModal: closeModal(ticket.id, 'ja'),
      panel: panelMessage(panel, 'ja'),
      panelWithoutOptions: panelMessage({ ...panel, options: [] }, 'ja'),
      list: listContent('見出し', Array.from({ length: 200 }, (_, i) => `項目 ${i} ${'あ'.repeat(20)}`), 'ja'),
      hours: describeSchedule({ mo: [['09:00', '17:00']], sa: [] }, 'Asia/Tokyo', 'ja'),
      noHours: describeSchedule({}, null, 'ja'),
    };
    const leaks = Object.entries(rendered).flatMap(([name, body]) => texts(body).flatMap((s) => englishWords(s).map((w) => `${name}: "${w}" in ${JSON.stringify(s)}`)))
      .filter((l) => !l.includes('Asia/Tokyo'));
    expect(leaks).toEqual([]);
    // The same in English does show English words: the check can see them.
    expect(texts(openingMessage(ticket, group, 'en')).flatMap(englishWords)).toEqual(expect.arrayContaining(['Close', 'Claim']));
  });

  it('the MCP transcript pages (Markdown and HTML)', async () => {
    const messages: TranscriptMessage[] = [
      { id: '1', ticket_id: ticket.id, channel_id: '2', in_notes: false, author: { id: OWNER, name: 'オリーブ', avatar: null, bot: false }, content: '入れません', embeds: [{ title: '画面' }, { title: '記録' }],
        attachments: [{ id: '3', message_id: '1', filename: '画面.png', url: 'https://cdn.example/a.png', size: 2048, content_type: null }], created_at: '2030-01-01T10:01:00.000Z', edited_at: '2030-01-01T10:02:00.000Z', deleted_at: '2030-01-01T10:03:00.000Z' },
      { id: '4', ticket_id: ticket.id, channel_id: '2', in_notes: true, author: { id: STAFF, name: 'サム', avatar: null, bot: false }, content: '社内メモ', embeds: [], attachments: [], created_at: '2030-01-01T10:04:00.000Z', edited_at: null, deleted_at: null },
      { id: '5', ticket_id: ticket.id, channel_id: '2', in_notes: false, author: { id: '9', name: 'ボット', avatar: null, bot: true }, content: 'ようこそ', embeds: [], attachments: [], created_at: '2030-01-01T10:05:00.000Z', edited_at: null, deleted_at: null },
    ] as TranscriptMessage[];
    const data = {
      id: ticket.id, number: 7, name: 'ticket-7', status: 'closed', topic: 'ログイン', owner_id: OWNER, assigned_id: null, priority: 1, form: [{ title: '内容', value: '入れない' }],
      opened_at: '2030-01-01T10:00:00.000Z', closed_at: '2030-01-01T11:00:00.000Z', closed_by: STAFF, closed_reason: '解決', summary: '要約', deleted_at: '2030-01-01T12:00:00.000Z', locked_at: '2030-01-01T10:30:00.000Z',
    } as unknown as TicketData;
    const source = (withMessages: boolean) => ({
      ticket: data, guild: { id: ticket.guild_id, name: 'サーバー' }, locale: 'ja' as const,
      async *messages(scope: 'channel' | 'notes') { if (withMessages) for (const m of messages) if (m.in_notes === (scope === 'notes')) yield m; },
    });
    for (const withMessages of [true, false]) {
      for (const [name, text] of [['markdown', await collect(renderMarkdown(source(withMessages)))], ['html', await collect(renderHtml(source(withMessages)))]] as const) {
        expect(text).toContain('サーバー');
        expect(englishWords(text), `${name}${withMessages ? '' : ' without messages'}`).toEqual([]);
      }
    }
    expect(englishWords(await collect(renderMarkdown({ ...source(true), locale: 'en' })))).toEqual(expect.arrayContaining(['Conversation', 'owner']));
  });
});
