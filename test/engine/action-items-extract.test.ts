/** What a sweep takes for an action item, and what it leaves alone. */
import { describe, expect, it } from 'vitest';
import { extractActionItems, type SweptMessage } from '../../src/engine/action-items/extract.js';

const msg = (content: string, over: Partial<SweptMessage> = {}): SweptMessage => ({
  id: '1441604990945860001', channel_id: '1441604990945853480', author_id: '849383430663776372', author_name: 'Alice', author_bot: false,
  content, created_at: '2026-11-23T10:00:00.000Z', ...over,
});
const found = (content: string, over: Partial<SweptMessage> = {}) => extractActionItems([msg(content, over)]).map((f) => [f.text, f.priority, f.category, f.assigned_to]);

describe('action item extraction', () => {
  it('takes labelled, checkbox, request and commitment lines', () => {
    expect(found('TODO: update the FAQ')).toEqual([['update the FAQ', 'medium', 'general', null]]);
    expect(found('- [ ] book the retro meeting')).toEqual([['book the retro meeting', 'medium', 'meeting', null]]);
    expect(found('Action item: ship the release notes, urgent')).toEqual([['ship the release notes, urgent', 'high', 'project', null]]);
    expect(found('can someone check the crash report? no rush')).toEqual([['can someone check the crash report? no rush', 'low', 'bug', null]]);
    expect(found('<@1305908865287852092> will fix the login bug ASAP')).toEqual([['<@1305908865287852092> will fix the login bug ASAP', 'high', 'bug', '1305908865287852092']]);
    expect(found("we'll update the docs")).toEqual([["we'll update the docs", 'medium', 'general', null]]);
    expect(found('1. Follow-up: send the invoice')).toEqual([['send the invoice', 'medium', 'general', null]]);
  });

  it('leaves chatter, bots and code alone, and keys each line apart', () => {
    expect(found('hello there, how are you?')).toEqual([]);
    expect(found('the willow tree is nice')).toEqual([]);
    expect(found('TODO: restart the worker', { author_bot: true })).toEqual([]);
    expect(found('```\n// TODO: refactor\n```')).toEqual([]);
    const two = extractActionItems([msg('TODO: a thing\nnothing\nTODO: another thing')]);
    expect(two.map((f) => f.source_key)).toEqual(['1441604990945860001:0', '1441604990945860001:2']);
  });
});
