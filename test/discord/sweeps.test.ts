/**
 * Sweeps against the sandbox through discord.js: the monitored channel's messages are read from
 * Discord, action items recorded, a summary posted to the output channel, each message read once,
 * and the scheduler sweeps a due guild by itself.
 */
import { expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { eventually, useDiscord } from './harness.js';

describeEachDatabase('action-item sweeps over Discord', (database) => {
  const h = useDiscord(database);
  const call = (name: string, input: unknown, signal = new AbortController().signal) => {
    const progress: Array<[number, number | undefined]> = [];
    const ctx: OperationContext = { engine: h().engine, actor: operatorActor(h().sandbox.demo.staffUserId), requestId: 't', signal, progress: (p, t) => { progress.push([p, t]); } };
    return { result: invoke(findOperation(name)!, ctx, input) as Promise<Record<string, unknown>>, progress };
  };
  const messagesIn = (channelId: string) => h().sandbox.state({ channel_id: channelId }).messages as unknown as Array<{ content: string; author: { id: string } }>;

  it('records the action items of new messages, posts a summary, and reads each message once', async () => {
    const { sandbox } = h();
    const d = sandbox.demo;
    const guild_id = d.guildId;
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: d.generalChannelId, content: 'TODO: update the FAQ page\nthanks all' });
    sandbox.actMessage({ user_id: d.staffUserId, channel_id: d.generalChannelId, content: `<@${d.memberUserId}> will fix the login bug ASAP` });
    sandbox.actMessage({ user_id: d.memberUserId, channel_id: d.generalChannelId, content: 'just chatting, nothing to do here' });
    const output = d.transcriptsChannelId;
    await call('update_monitor_config', { guild_id, channels_to_monitor: [d.generalChannelId], sweep_output_channel_id: output }).result;

    const first = call('trigger_sweep', { guild_id });
    const sweep = await first.result;
    expect(sweep).toMatchObject({ status: 'completed', channels_processed: 1, messages_processed: 3, action_items_found: 2 });
    expect(first.progress.at(-1)).toEqual([1, 1]);
    const items = (await call('list_action_items', { guild_id, sort: 'priority' }).result)['action_items'] as Array<Record<string, unknown>>;
    expect(items.map((i) => [i['text'], i['priority'], i['category'], i['assigned_to'], i['status'], i['channel_name']])).toEqual([
      [`<@${d.memberUserId}> will fix the login bug ASAP`, 'high', 'bug', d.memberUserId, 'pending', 'general'],
      ['update the FAQ page', 'medium', 'general', null, 'pending', 'general'],
    ]);
    const summary = await eventually(() => {
      const m = messagesIn(output).find((x) => x.content.startsWith('Sweep found 2 new action items'));
      if (!m) throw new Error('no summary yet');
      return m;
    });
    expect(summary.author.id).toBe(sandbox.botUserId);
    expect(summary.content).toContain('• [high]');

    // Before the interval has passed only a forced sweep runs, and it reads only what is new.
    await expect(call('trigger_sweep', { guild_id }).result).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/force: true/) });
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: d.generalChannelId, content: '- [ ] book the retro meeting for Friday' });
    expect(await call('trigger_sweep', { guild_id, force: true }).result).toMatchObject({ status: 'completed', messages_processed: 1, action_items_found: 1 });
    const all = (await call('list_action_items', { guild_id }).result) as { total: number; action_items: Array<Record<string, unknown>> };
    expect(all.total).toBe(3);
    expect(all.action_items[0]).toMatchObject({ text: 'book the retro meeting for Friday', category: 'meeting' });

    const history = (await call('list_sweeps', { guild_id }).result) as { total: number; sweeps: Array<Record<string, unknown>> };
    expect(history.total).toBe(2);
    const analytics = (await call('get_activity_analytics', { guild_id, period: '7d' }).result) as { summary: Record<string, number>; top_channels: unknown[] };
    expect(analytics.summary).toEqual({ total_messages_processed: 4, total_action_items: 3, sweeps_executed: 2, channels_monitored: 1 });
    expect(analytics.top_channels).toEqual([{ channel_id: d.generalChannelId, channel_name: 'general', action_items: 3, messages_processed: 4 }]);
  });

  it('announces an item added by hand in the to-do channel, without pinging anyone', async () => {
    const { sandbox } = h();
    const d = sandbox.demo;
    await call('update_monitor_config', { guild_id: d.guildId, todo_channel_id: d.ticketsChannelId }).result;
    const item = await call('create_action_item', { guild_id: d.guildId, channel_id: d.generalChannelId, text: `Ask <@${d.memberUserId}> about the invoice`, priority: 'high' }).result;
    expect(item).toMatchObject({ channel_name: 'general' });
    const posted = await eventually(() => {
      const m = messagesIn(d.ticketsChannelId).find((x) => x.content.includes('Ask <@'));
      if (!m) throw new Error('not announced yet');
      return m as typeof m & { mentions?: unknown[] };
    });
    expect(posted.content).toBe(`New action item:\n• [high] Ask <@${d.memberUserId}> about the invoice (#general)`);
    expect(posted.author.id).toBe(sandbox.botUserId);
    expect(posted.mentions).toEqual([]);
    await call('update_monitor_config', { guild_id: d.guildId, todo_channel_id: null }).result;
  });

  it("announces in the server's preferred language: the heading and the priority are the catalogue's, the item as written", async () => {
    const { sandbox, engine } = h();
    const d = sandbox.demo;
    sandbox.updateGuild(d.guildId, { preferred_locale: 'de' });
    await eventually(async () => expect(await engine.outbox.localesOf(d.guildId, null)).toEqual([null, 'de']));
    try {
      await call('update_monitor_config', { guild_id: d.guildId, todo_channel_id: d.ticketsChannelId }).result;
      await call('create_action_item', { guild_id: d.guildId, channel_id: d.generalChannelId, text: 'Rechnung an Kunde 7 schicken', priority: 'low' }).result;
      const posted = await eventually(() => {
        const m = messagesIn(d.ticketsChannelId).find((x) => x.content.includes('Rechnung an Kunde 7'));
        if (!m) throw new Error('not announced yet');
        return m;
      });
      expect(posted.content).toBe('Neue Aufgabe:\n• [niedrig] Rechnung an Kunde 7 schicken (#general)');
    } finally {
      await call('update_monitor_config', { guild_id: d.guildId, todo_channel_id: null }).result;
      sandbox.updateGuild(d.guildId, { preferred_locale: 'en-US' });
      await eventually(async () => expect(await engine.outbox.localesOf(d.guildId, null)).toEqual([null, 'en-US']));
    }
  });

  it('a cancelled sweep records no items, moves no cursor, and is listed as failed', async () => {
    const { sandbox } = h();
    const d = sandbox.demo;
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: d.generalChannelId, content: 'Action item: renew the domain' });
    const before = (await call('list_action_items', { guild_id: d.guildId }).result)['total'];
    const abort = new AbortController();
    abort.abort();
    await expect(call('trigger_sweep', { guild_id: d.guildId, force: true }, abort.signal).result).rejects.toMatchObject({ details: { cancelled: true } });
    expect((await call('list_action_items', { guild_id: d.guildId }).result)['total']).toBe(before);
    const latest = ((await call('list_sweeps', { guild_id: d.guildId, limit: 1 }).result)['sweeps'] as Array<Record<string, unknown>>)[0];
    expect(latest).toMatchObject({ status: 'failed' });
    // The message is still there for the next sweep.
    expect(await call('trigger_sweep', { guild_id: d.guildId, force: true }).result).toMatchObject({ messages_processed: 1, action_items_found: 1 });
  });

  it('the scheduler sweeps a guild once its interval has passed', async () => {
    const { sandbox, engine, discord } = h();
    const d = sandbox.demo;
    await engine.db.updateTable('monitor_configs').set({ last_sweep_time: new Date(Date.now() - 7 * 3_600_000) }).where('guild_id', '=', d.guildId).execute();
    sandbox.actMessage({ user_id: d.staffUserId, channel_id: d.generalChannelId, content: 'we need to rotate the API keys' });
    const before = (await call('list_sweeps', { guild_id: d.guildId }).result)['total'] as number;
    await discord.scheduler.tick();
    const history = (await call('list_sweeps', { guild_id: d.guildId }).result) as { total: number; sweeps: Array<Record<string, unknown>> };
    expect(history.total).toBe(before + 1);
    expect(history.sweeps[0]).toMatchObject({ status: 'completed', action_items_found: 1 });
    // Not due again right after.
    await discord.scheduler.tick();
    expect((await call('list_sweeps', { guild_id: d.guildId }).result)['total']).toBe(before + 1);
  });
});
