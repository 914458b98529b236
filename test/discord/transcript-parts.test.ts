/**
 * A transcript bigger than Discord's 10 MiB file limit still reaches the transcript channel and the
 * owner's DMs: cut into parts below the limit, every message once and in order, each part posted once.
 */
import { expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import { describeEachDatabase } from '../support/databases.js';
import { eventually, useDiscord, type Harness } from './harness.js';

interface Msg { id: string; content: string; attachments: Array<{ filename: string; url: string; size: number }> }

const admin = operatorActor('310927734108356609');
const TEN_MIB = 10 * 1024 * 1024;
// 1,200 messages of ~4,000 bytes and an embed of ~6,000: about 12 MB, past Discord's 10 MiB per file.
const LINES = 1_200;
const line = (i: number) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(3_980)}`;
const embed = { title: 'Details', description: 'y'.repeat(5_990) };

const messages = (h: Harness, channelId: string) => h.sandbox.state({ channel_id: channelId }).messages as unknown as Msg[];

async function files(h: Harness, channelId: string, number: number): Promise<Array<{ message: Msg; name: string; size: number; text: string }>> {
  const out = [];
  for (const m of messages(h, channelId)) {
    for (const a of m.attachments.filter((x) => x.filename.startsWith(`transcript-${number}`))) {
      out.push({ message: m, name: a.filename, size: a.size, text: await (await fetch(a.url)).text() });
    }
  }
  return out;
}

describeEachDatabase('Transcripts past the upload limit', (database) => {
  const h = useDiscord(database);

  it('posts a 12 MB transcript as two files under 10 MiB, in order, once each, to the channel and the DM', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const ref = { guild_id: d.guildId };
    const t = await engine.tickets.create(admin, { ...ref, user_id: d.customerUserId, topic: 'Long one' });
    const group = await engine.groups.get({ ...ref, group_id: t.group_id });
    expect(group.transcript_channel_id).toBe(d.transcriptsChannelId);
    const base = BigInt(t.id) + 1_000n;
    const at = Date.now();
    for (let i = 0; i < LINES; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, LINES - i) }, (_, k) => engine.transcripts.recordMessage({
        guild_id: d.guildId, channel_id: t.channel_id!,
        message: { id: String(base + BigInt(i + k)), content: line(i + k), created_at: new Date(at + (i + k) * 1000), embeds: [embed], attachments: [], author: { id: d.customerUserId, username: 'customer', bot: false } },
      })));
    }
    // Closing saves the transcript to the group's channel and DMs it to the owner.
    await engine.tickets.close(admin, { ...ref, ticket: { ticket_id: t.id }, reason: 'Done' });
    await h().discord.worker!.idle(60_000);

    const dm = (sandbox.state().channels as unknown as Array<{ id: string; type: number; recipients?: Array<{ id: string }> }>)
      .find((c) => c.type === 1 && c.recipients?.some((r) => r.id === d.customerUserId));
    for (const channelId of [d.transcriptsChannelId, dm!.id]) {
      const parts = await eventually(async () => {
        const got = await files(h(), channelId, t.number);
        if (got.length < 2) throw new Error(`${got.length} transcript files in ${channelId} so far`);
        return got;
      }, 30_000);
      expect(parts.map((p) => p.name)).toEqual([`transcript-${t.number}-part1.txt`, `transcript-${t.number}-part2.txt`]);
      for (const p of parts) expect(p.size).toBeLessThanOrEqual(TEN_MIB);
      expect(new Set(parts.map((p) => p.message.id)).size, 'one message per part').toBe(2);
      expect(parts[0]!.message.content).toContain('part 1');
      expect(parts[1]!.message.content).toContain('part 2 of 2');
      expect(parts[1]!.text.split('\n')[0]).toContain(`part 2`);
      // Every recorded line once, in order, across the parts.
      const seen = (parts[0]!.text + parts[1]!.text).split('\n').map((l) => /line (\d{5}) x+$/.exec(l)?.[1]).filter((x): x is string => x !== undefined).map(Number);
      expect(seen).toEqual(Array.from({ length: LINES }, (_, i) => i));
    }
  }, 120_000);
});
