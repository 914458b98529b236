/**
 * A guild's ticket setup as one document: exported from one server, imported into another with its
 * channel and role ids mapped, all or nothing, and a repeated import adding nothing.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { guildSnapshot, staffActor } from '../support/fixtures.js';

const staff = staffActor('601082144459178129');

type Config = { format: string; version: number; groups: Array<Record<string, unknown>>; custom_messages: Array<Record<string, unknown>>; blocks: Array<Record<string, unknown>> };
type Summary = { dry_run: boolean; groups: { created: string[]; updated: string[] }; custom_messages: { created: string[]; updated: string[] }; blocks: { added: number } };

describeEachDatabase('guild setup export and import', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const ctx = (): OperationContext => ({ engine: e(), actor: staff, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = async <T>(name: string, input: unknown): Promise<T> => await invoke(findOperation(name)!, ctx(), input) as T;
  const groupNames = async (guildId: string) => (await e().groups.list({ guild_id: guildId, per_page: 100 })).groups.map((g) => g.name).sort();

  async function sourceGuild() {
    const a = guildSnapshot();
    await e().guilds.applySync(a);
    await call('create_ticket_group', {
      guild_id: a.guild.id, name: 'Billing', mode: 'channel', opened_category_id: a.ids.category, transcript_channel_id: a.ids.transcripts,
      feedback_channel_id: a.ids.general, staff_role_ids: [a.ids.staffRole], required_role_ids: [a.ids.staffRole], name_template: 'bill-{number}',
      form_title: 'Billing', form_fields: [{ label: 'Invoice', style: 1, required: true, max_length: 20 }],
      schedule: { mo: [['09:00', '17:00']] }, schedule_timezone: 'Europe/Amsterdam', priority_levels: [{ label: 'Low' }, { label: 'High' }],
      per_user_limit: 2, auto_close_hours: 48, stale_warning_hours: 24, cooldown_seconds: 60, claim_mode: 'private',
    });
    await call('create_custom_message', { guild_id: a.guild.id, name: 'Refund policy', content: 'Hi {user}, refunds take five days.', embeds: [{ title: 'Refunds' }] });
    await call('add_ticket_block', { guild_id: a.guild.id, user_id: '1305908865287852092', reason: 'spam' });
    await call('add_ticket_block', { guild_id: a.guild.id, role_id: a.ids.staffRole, reason: 'test role' });
    return a;
  }

  it('copies a setup to another server with ids mapped: dry run first, then for real, and again without duplicates', async () => {
    const a = await sourceGuild();
    const config = await call<Config>('export_guild_config', { guild_id: a.guild.id });
    expect(config).toMatchObject({ format: 'ticketbridge.guild_config', version: 1, guild_id: a.guild.id });
    const billing = config.groups.find((g) => g.name === 'Billing')!;
    expect(billing).toMatchObject({ transcript_channel_id: a.ids.transcripts, claim_mode: 'private', cooldown_seconds: 60, is_default: false });
    expect(billing).not.toHaveProperty('id');
    expect(config.custom_messages).toEqual([{ name: 'Refund policy', content: 'Hi {user}, refunds take five days.', embeds: [{ title: 'Refunds' }], components: [], auto_keywords: [] }]);
    expect(config.blocks).toEqual([{ user_id: '1305908865287852092', reason: 'spam' }, { role_id: a.ids.staffRole, reason: 'test role' }]);

    const b = guildSnapshot();
    await e().guilds.applySync(b);
    const before = await groupNames(b.guild.id);
    const id_map = { [a.ids.category]: b.ids.category, [a.ids.transcripts]: b.ids.transcripts, [a.ids.general]: b.ids.general, [a.ids.staffRole]: b.ids.staffRole };
    const dry = await call<Summary>('import_guild_config', { guild_id: b.guild.id, config, id_map, dry_run: true });
    expect(dry).toMatchObject({ dry_run: true, groups: { created: ['Billing'] }, custom_messages: { created: ['Refund policy'], updated: [] }, blocks: { added: 2 } });
    expect(await groupNames(b.guild.id), 'a dry run changes nothing').toEqual(before);
    expect((await e().blocks.list({ guild_id: b.guild.id })).total).toBe(0);

    const done = await call<Summary>('import_guild_config', { guild_id: b.guild.id, config, id_map });
    expect(done).toEqual({ ...dry, dry_run: false });
    const copied = await call<Config>('export_guild_config', { guild_id: b.guild.id });
    const swap = (v: unknown) => JSON.parse(Object.entries(id_map).reduce((s, [from, to]) => s.replaceAll(from, to), JSON.stringify(v))) as unknown;
    expect(copied.groups.find((g) => g.name === 'Billing')).toEqual(swap(billing));
    expect(copied.custom_messages).toEqual(config.custom_messages);
    expect(copied.blocks).toEqual(swap(config.blocks));

    const again = await call<Summary>('import_guild_config', { guild_id: b.guild.id, config, id_map });
    expect(again.groups.created).toEqual([]);
    expect(again.custom_messages).toEqual({ created: [], updated: ['Refund policy'] });
    expect(await groupNames(b.guild.id)).toEqual(copied.groups.map((g) => String(g.name)).sort());
    expect((await e().customMessages.list({ guild_id: b.guild.id })).total).toBe(1);
    expect((await e().blocks.list({ guild_id: b.guild.id })).total).toBe(2);
  });

  it('is all or nothing: an unknown channel in one group leaves the guild as it was and names the entry and field', async () => {
    const b = guildSnapshot();
    await e().guilds.applySync(b);
    const before = await groupNames(b.guild.id);
    const config = {
      groups: [
        { name: 'First', opened_category_id: b.ids.category },
        { name: 'Second', transcript_channel_id: '123456789012345678' },
      ],
      custom_messages: [{ name: 'Hello', content: 'Hi' }],
    };
    const err = await call('import_guild_config', { guild_id: b.guild.id, config }).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/^config\.groups\.1 \(Second\): .*transcript_channel_id/);
    expect((err as EngineError).details.fields?.[0]?.path).toBe('config.groups.1.transcript_channel_id');
    expect(await groupNames(b.guild.id)).toEqual(before);
    expect((await e().customMessages.list({ guild_id: b.guild.id })).total).toBe(0);
    // A block without a target is refused before anything runs.
    const bad = await call('import_guild_config', { guild_id: b.guild.id, config: { blocks: [{ reason: 'who?' }] } }).then(() => undefined, (x: unknown) => x);
    expect((bad as EngineError).message).toMatch(/exactly one of user_id and role_id/);
  });
});
