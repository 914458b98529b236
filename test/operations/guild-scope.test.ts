/**
 * A token scoped to guild A can read or change nothing of guild B, through any operation.
 *
 * Iterates the live catalogue: every operation whose input names a guild is invoked against guild B
 * with an input built from its own schema and pointing at B's real rows (its tickets, groups, panels
 * …), so that without the scope check it would succeed and change B. Every table with a guild_id
 * column is snapshotted for B before and after. A control run with a B-scoped token then shows the
 * same inputs do get through when the scope allows it.
 */
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { ABILITIES, type Actor } from '../../src/engine/actor.js';
import { EngineError } from '../../src/engine/errors.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { invoke, type AnyOperation, type OperationContext } from '../../src/operations/define.js';
import { catalogue } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, seedGuild, seedMember, snowflake, staffActor } from '../support/fixtures.js';

interface World {
  guild_id: string; group_id: string; other_group_id: string; ticket_id: string; closed_ticket_id: string;
  channel_id: string; text_channel_id: string; role_id: string; user_id: string; member_id: string;
  panel_id: string; option_id: string; custom_message_id: string; message_id: string;
}

type JsonSchema = {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; pattern?: string; format?: string;
  minLength?: number; maxLength?: number; minimum?: number; maximum?: number; exclusiveMinimum?: number; minItems?: number;
};

const SNOWFLAKE = /^\^\\d\{17,20\}\$$/;

/** A value for one property, pointing at the world's rows where the name says what it is. */
function valueFor(key: string, schema: JsonSchema, w: World): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const nonNull = options.filter((o) => o.type !== 'null');
    return valueFor(key, nonNull[0] ?? options[0]!, w);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const byKey: Record<string, string> = {
        guild_id: w.guild_id, ticket_id: w.ticket_id, group_id: w.group_id, ticket_group_id: w.other_group_id,
        user_id: w.user_id, owner_id: w.user_id, assigned_id: w.member_id, panel_id: w.panel_id, option_id: w.option_id,
        custom_message_id: w.custom_message_id, message_id: w.message_id, role_id: w.role_id, channel_id: w.text_channel_id,
      };
      if (byKey[key] && (!schema.pattern || new RegExp(schema.pattern).test(byKey[key]))) return byKey[key];
      if (schema.pattern && SNOWFLAKE.test(schema.pattern)) return snowflake();
      if (key.endsWith('_at') || schema.format === 'date-time' || /ISO-8601/.test(JSON.stringify(schema))) return '2031-01-01T00:00:00.000Z';
      if (schema.format === 'uri' || key.endsWith('url')) return 'https://example.com/scope.png';
      if (schema.format === 'email') return 'scope@example.com';
      const candidates = ['scope test', '1', 'a', 'https://example.com/scope.png', '#ff0000', 'abc-123'];
      const fits = (s: string) => (!schema.pattern || new RegExp(schema.pattern).test(s))
        && s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity);
      return candidates.find(fits) ?? 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    }
    case 'integer': case 'number': {
      const preferred: Record<string, number> = { priority: 1, rating: 3, number: 1, style: 1 };
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      const v = preferred[key] ?? Math.max(min, 1);
      return Math.min(Math.max(v, min), max);
    }
    case 'boolean': return true;
    case 'array': return Array.from({ length: schema.minItems ?? 0 }, () => valueFor(key, schema.items ?? {}, w));
    case 'object': return objectFor(schema, w, 'required');
    default: return null;
  }
}

function objectFor(schema: JsonSchema, w: World, which: 'required' | 'all', extra: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set([...(schema.required ?? []), ...extra]);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (which === 'all' || required.has(key)) out[key] = valueFor(key, prop, w);
  }
  return out;
}

/** A valid input for `op` aimed at the world's rows, or the reason none could be built. */
function inputFor(op: AnyOperation, w: World): { input: Record<string, unknown> } | { error: string } {
  const schema = z.toJSONSchema(op.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const props = Object.keys(schema.properties ?? {});
  // A ticket is named by ticket_id (the channel_id alternative is a refinement JSON Schema cannot show).
  const base = props.includes('ticket_id') ? ['ticket_id'] : [];
  const attempts: Array<Record<string, unknown>> = [objectFor(schema, w, 'required', base)];
  for (const p of props) attempts.push(objectFor(schema, w, 'required', [...base, p]));
  attempts.push(objectFor(schema, w, 'all'));
  let last = '';
  for (const candidate of attempts) {
    const parsed = op.input.safeParse(candidate);
    if (parsed.success) return { input: candidate };
    last = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  }
  return { error: `could not build a valid input for ${op.name} (${last}); teach valueFor in this test about its fields` };
}

describeEachDatabase('guild scope across the catalogue', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const db = () => database().db;

  async function seedWorld(): Promise<World> {
    const g = await seedGuild(db());
    const other = snowflake();
    await db().insertInto('ticket_groups').values({
      id: other, guild_id: g.guildId, name: 'Billing', mode: 'channel', staff_role_ids: '[]', form_fields: '[]',
      priority_levels: JSON.stringify([{ label: 'Low' }, { label: 'Medium' }, { label: 'High' }]), rating_levels: '[]',
      opened_channel_id: null, opened_category_id: snowflake(), closed_category_id: null, locked_category_id: null, assigned_category_id: null,
      transcript_channel_id: null, form_channel_id: null, feedback_channel_id: null, opening_message: null, form_title: null,
      schedule_timezone: null, per_user_limit: null,
    }).execute();
    const owner = snowflake();
    const member = snowflake();
    const staff = staffActor(snowflake());
    const textChannel = snowflake();
    const role = snowflake();
    await db().insertInto('channels').values({ id: textChannel, guild_id: g.guildId, name: 'general', type: 0, parent_id: null, position: 0, topic: null, permission_overwrites: '[]', deleted_at: null }).execute();
    await db().insertInto('roles').values({ id: role, guild_id: g.guildId, name: 'Staff', color: 0, position: 1, hoist: false, deleted_at: null }).execute();
    await seedMember(db(), g.guildId, owner);
    await seedMember(db(), g.guildId, member, [role]);
    const open = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, topic: 'Scope' });
    const ids = await attachDiscordIds(db(), open.id, { notes_thread_id: snowflake() });
    await e().tickets.addMember(staff, { guild_id: g.guildId, ticket: { ticket_id: open.id }, user_id: member });
    await e().tickets.addNotesMember(staff, { guild_id: g.guildId, ticket: { ticket_id: open.id }, user_id: member });
    const message = snowflake();
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: ids.channel_id, message: {
      id: message, author: { id: owner, username: 'owner' }, content: 'hello', embeds: [], attachments: [], created_at: '2030-01-01T00:00:00Z',
    } });
    const closed = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    await attachDiscordIds(db(), closed.id);
    await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: closed.id } });
    const panel = snowflake();
    const option = snowflake();
    const custom = snowflake();
    await db().insertInto('panels').values({ id: panel, guild_id: g.guildId, name: 'Panel', channel_id: textChannel, message_id: null, title: 'Open a ticket', description: null, color: null, image_url: null, thumbnail_url: null, footer: null, placeholder: null, settings: '{}' }).execute();
    await db().insertInto('panel_options').values({ id: option, panel_id: panel, guild_id: g.guildId, group_id: g.groupId, label: 'Support', description: null, emoji: null, settings: '{}' }).execute();
    await db().insertInto('custom_messages').values({ id: custom, guild_id: g.guildId, name: 'Welcome', content: 'Hi {user}', embeds: '[]', components: '[]' }).execute();
    return {
      guild_id: g.guildId, group_id: g.groupId, other_group_id: other, ticket_id: open.id, closed_ticket_id: closed.id,
      channel_id: ids.channel_id, text_channel_id: textChannel, role_id: role, user_id: owner, member_id: member,
      panel_id: panel, option_id: option, custom_message_id: custom, message_id: message,
    };
  }

  /** Every row of the guild in every table that has a guild_id column, plus rows hanging off its tickets. One query. */
  let guildTables: string[] | undefined;
  async function snapshot(guildId: string): Promise<Record<string, string[]>> {
    guildTables ??= (await sql<{ table_name: string }>`
      SELECT DISTINCT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'guild_id' ORDER BY table_name`.execute(db())).rows.map((r) => r.table_name);
    const parts = [
      ...guildTables.map((t) => sql`SELECT ${t} AS t, row_to_json(x)::text AS r FROM ${sql.table(t)} x WHERE x.guild_id = ${guildId}`),
      sql`SELECT 'guilds' AS t, row_to_json(x)::text AS r FROM guilds x WHERE x.id = ${guildId}`,
      ...['ticket_members', 'attachments'].map((t) => sql`SELECT ${t} AS t, row_to_json(x)::text AS r FROM ${sql.table(t)} x
        WHERE x.ticket_id IN (SELECT id FROM tickets WHERE guild_id = ${guildId})`),
    ];
    const { rows } = await sql<{ t: string; r: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(db());
    const out: Record<string, string[]> = {};
    for (const t of [...guildTables, 'guilds', 'ticket_members', 'attachments']) out[t] = [];
    for (const row of rows) out[row.t]!.push(row.r);
    for (const list of Object.values(out)) list.sort();
    return out;
  }

  const ctxFor = (actor: Actor): OperationContext => ({
    engine: e(), actor, requestId: 'scope-test', signal: new AbortController().signal, progress: () => {},
  });
  const tokenActor = async (guilds: string[], abilities: string[]) => {
    const { token } = await e().tokens.create({ name: `scope-${snowflake()}`, guild_ids: guilds, abilities });
    return e().tokens.authenticate(token);
  };
  const hasGuildId = (op: AnyOperation) => op.input instanceof z.ZodObject && 'guild_id' in op.input.shape;
  const failure = async (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

  let A: World;
  let B: World;
  beforeAll(async () => {
    A = await seedWorld();
    B = await seedWorld();
  });

  it('refuses every guild-scoped operation against guild B and leaves B untouched', async () => {
    const actor = await tokenActor([A.guild_id], ['*']);
    expect(actor.guilds).toEqual([A.guild_id]);
    const scoped = catalogue.filter(hasGuildId);
    expect(scoped.length).toBeGreaterThan(20);
    const before = await snapshot(B.guild_id);
    expect(before['tickets']).toHaveLength(2);
    const problems: string[] = [];
    for (const op of scoped) {
      const built = inputFor(op, B);
      if ('error' in built) { problems.push(built.error); continue; }
      const err = await failure(invoke(op, ctxFor(actor), built.input));
      if (!(err instanceof EngineError) || err.code !== 'forbidden') {
        problems.push(`${op.name}: expected forbidden, got ${err instanceof EngineError ? `${err.code}: ${err.message}` : err === undefined ? 'success' : String(err)}`);
      } else if (!err.message.includes(B.guild_id)) {
        problems.push(`${op.name}: the forbidden message does not name guild ${B.guild_id}: ${err.message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshot(B.guild_id)).toEqual(before);
  });

  it('leaks nothing of guild B through operations that take no guild_id', async () => {
    const actor = await tokenActor([A.guild_id], ['*']);
    const before = await snapshot(B.guild_id);
    const leaks: string[] = [];
    for (const op of catalogue.filter((o) => !hasGuildId(o))) {
      const built = inputFor(op, A);
      if ('error' in built) { leaks.push(built.error); continue; }
      const out = await invoke(op, ctxFor(actor), built.input).catch(() => undefined);
      const text = JSON.stringify(out ?? null);
      for (const id of [B.guild_id, B.ticket_id, B.closed_ticket_id, B.group_id, B.panel_id]) {
        if (text.includes(id)) leaks.push(`${op.name} returned ${id} of guild B`);
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshot(B.guild_id)).toEqual(before);
  });

  it('refuses a token lacking an operation\'s ability with forbidden naming that ability', async () => {
    const actors = new Map<string, Actor>();
    for (const ability of ABILITIES) actors.set(ability, await tokenActor([A.guild_id], ABILITIES.filter((a) => a !== ability)));
    const before = await snapshot(A.guild_id);
    const problems: string[] = [];
    for (const op of catalogue) {
      const built = inputFor(op, A);
      if ('error' in built) { problems.push(built.error); continue; }
      if (op.ability === null) {
        // Needs no ability: every valid token may call it, even one lacking each ability in turn.
        for (const [lacking, actor] of actors) {
          const err = await invoke(op, ctxFor(actor), built.input).then(() => undefined, (e: unknown) => e);
          if (err !== undefined) problems.push(`${op.name}: a token without ${lacking} was refused: ${String(err)}`);
        }
        continue;
      }
      const err = await failure(invoke(op, ctxFor(actors.get(op.ability)!), built.input));
      if (!(err instanceof EngineError) || err.code !== 'forbidden' || !err.message.includes(`"${op.ability}"`)) {
        problems.push(`${op.name}: expected forbidden naming "${op.ability}", got ${err instanceof EngineError ? `${err.code}: ${err.message}` : String(err)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshot(A.guild_id)).toEqual(before);
  });

  it('control: the same inputs get past the scope check with a token for guild B (so the refusals above were the scope)', async () => {
    const actor = await tokenActor([B.guild_id], ['*']);
    const refused: string[] = [];
    const changed: string[] = [];
    const readOnlyWrites: string[] = [];
    // Destructive operations last (guild-wide ones at the very end), so they do not take B's rows away from the others.
    const rank = (op: AnyOperation) => (!op.annotations.destructiveHint ? 0 : 'ticket_id' in (op.input as z.ZodObject).shape ? 1 : 2);
    const ops = catalogue.filter(hasGuildId).sort((x, y) => rank(x) - rank(y));
    for (const op of ops) {
      const built = inputFor(op, B);
      if ('error' in built) continue; // reported by the first test
      const before = JSON.stringify(await snapshot(B.guild_id));
      const err = await failure(invoke(op, ctxFor(actor), built.input));
      if (err instanceof EngineError && (err.code === 'forbidden' || (err.code === 'invalid' && /^Invalid input for/.test(err.message)))) {
        refused.push(`${op.name}: ${err.message}`);
      }
      if (JSON.stringify(await snapshot(B.guild_id)) !== before) {
        changed.push(op.name);
        if (op.annotations.readOnlyHint) readOnlyWrites.push(op.name);
      }
    }
    expect(refused).toEqual([]);
    expect(readOnlyWrites, 'operations marked read-only that changed data').toEqual([]);
    // Without the scope check, at least these many operations would have changed guild B.
    expect(changed.length).toBeGreaterThanOrEqual(10);
    expect(changed).toEqual(expect.arrayContaining(['close_ticket', 'assign_ticket', 'save_transcript', 'send_transcript', 'delete_ticket']));
  });
});
