/**
 * The end-to-end proof, through the sandbox with discord.js: a member whose Discord speaks
 * German (then Japanese) opens a ticket from the panel and sees the form, the ephemeral confirmation
 * and the opening message's buttons in their language; a member whose language we do not speak gets
 * English; messages in a ticket follow its owner's language (else the server's preferred locale);
 * /ticket is registered with localized names and descriptions for every locale.
 */
import { expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import { t } from '../../src/i18n/catalogue.js';
import type { Locale } from '../../src/i18n/locales.js';
import { describeEachDatabase } from '../support/databases.js';
import { eventually, useDiscord, type Harness } from './harness.js';

interface Button { type: number; label?: string; custom_id?: string; components?: Button[] }
interface Msg { id: string; content: string; components?: Button[]; embeds: Array<{ title?: string; fields?: Array<{ name: string; value: string }> }> }
interface Modal { custom_id: string; title: string; components: Array<{ components: Array<{ label: string; custom_id: string }> }> }

const admin = operatorActor('310927734108356609');

function messages(h: Harness, channelId: string): Msg[] {
  return h.sandbox.state({ channel_id: channelId }).messages as unknown as Msg[];
}
const buttons = (m: Msg): Button[] => (m.components ?? []).flatMap((row) => row.components ?? []);

describeEachDatabase('Discord in the member\'s language', (database) => {
  const h = useDiscord(database);
  let panelButton = '';
  let groupId = '';

  async function setUp(): Promise<void> {
    if (panelButton) return;
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    groupId = (await engine.guilds.get(d.guildId)).default_group_id!;
    await engine.groups.update(admin, {
      guild_id: d.guildId, group_id: groupId, form_title: 'Tell us more', form_fields: [{ label: 'What happened?', style: 2, required: true }],
      // Staff texts are never translated by us; the group writes its own per language.
      translations: {
        de: { form_title: 'Erzähl uns mehr', form_fields: [{ label: 'Was ist passiert?' }] },
        ja: { form_title: '詳しく教えてください', form_fields: [{ label: '何がありましたか？' }] },
      },
    });
    const panel = await engine.panels.create(admin, { guild_id: d.guildId, name: 'Help', channel_id: d.ticketsChannelId, group_id: groupId, title: 'Need help?' });
    const posted = await eventually(async () => {
      const p = await engine.panels.get({ guild_id: d.guildId, panel_id: panel.id });
      if (!p.message_id) throw new Error('panel not posted yet');
      return p;
    });
    const panelMsg = messages(h(), d.ticketsChannelId).find((m) => m.id === posted.message_id)!;
    panelButton = buttons(panelMsg)[0]!.custom_id!;
  }

  /** A new member with `locale` clicks the panel, fills the form and waits for the ticket's opening message. */
  async function openAs(locale: string, username: string) {
    await setUp();
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const member = sandbox.actJoin({ username }) as { user: { id: string } };
    const userId = member.user.id;
    const click = await sandbox.actInteraction({ user_id: userId, channel_id: d.ticketsChannelId, type: 'button', custom_id: panelButton, locale: locale as never });
    expect(click.response?.type, 'the panel button shows the form').toBe(9);
    const modal = click.response!.data as unknown as Modal;
    const submit = await sandbox.actInteraction({
      user_id: userId, channel_id: d.ticketsChannelId, type: 'modal', custom_id: modal.custom_id, fields: { field_0: 'Mein Drucker brennt' }, locale: locale as never, settle_ms: 10_000,
    });
    const reply = String((submit.message as { content?: string } | null)?.content ?? '');
    const ticket = await eventually(async () => {
      const tk = (await engine.tickets.list({ guild_id: d.guildId, owner_id: userId, status: 'open' })).tickets[0];
      if (!tk?.channel_id) throw new Error('no ticket channel yet');
      return tk;
    });
    const opening = await eventually(() => {
      const m = messages(h(), ticket.channel_id!).find((x) => buttons(x).some((b) => b.custom_id?.startsWith('tb:claim:')));
      if (!m) throw new Error('no opening message yet');
      return m;
    });
    return { userId, modal, reply, ticket, opening };
  }

  function expectReply(reply: string, locale: Locale, ticket: { number: number; channel_id: string | null }): void {
    const either = [t(locale, 'reply.opened', { number: ticket.number, channel: `<#${ticket.channel_id}>` }), t(locale, 'reply.opening', { number: ticket.number })];
    expect(either, `ephemeral confirmation "${reply}"`).toContain(reply);
  }

  it('a member whose Discord speaks German gets the form, the confirmation and the opening buttons in German', async () => {
    const { sandbox } = h();
    const { modal, reply, ticket, opening } = await openAs('de', 'greta');
    expect(modal.title).toBe('Erzähl uns mehr');
    expect(modal.components[0]!.components[0]!.label).toBe('Was ist passiert?');
    expect(reply).toMatch(/^Dein Ticket #\d+ /);
    expectReply(reply, 'de', ticket);
    expect(buttons(opening).map((b) => b.label)).toEqual(['Schließen', 'Übernehmen']);
    const fields = opening.embeds[0]!.fields!.map((f) => `${f.name}: ${f.value}`);
    expect(fields).toContain('Übernommen von: noch niemandem');
    expect(fields).toContain('Status: Offen');

    // Staff answering in English get English; the notice in the ticket speaks its owner's German.
    const claim = buttons(opening).find((b) => b.custom_id?.startsWith('tb:claim:'))!.custom_id!;
    const claimed = await sandbox.actInteraction({ user_id: sandbox.demo.staffUserId, channel_id: ticket.channel_id!, type: 'button', custom_id: claim, message_id: opening.id, locale: 'en-US', settle_ms: 10_000 });
    expect((claimed.message as { content?: string } | null)?.content).toBe(`You claimed ticket #${ticket.number}.`);
    await eventually(() => expect(messages(h(), ticket.channel_id!).map((m) => m.content)).toContain(`🙋 Übernommen von <@${sandbox.demo.staffUserId}>.`));
    // A refusal the engine makes (written in English for API callers) reaches a German member with a
    // German lead, the engine's words kept as the detail.
    // (By /ticket claim: the Claim button may already show as disabled, which Discord would not let anyone click.)
    const second = await sandbox.actInteraction({ user_id: sandbox.demo.secondStaffUserId, channel_id: ticket.channel_id!, type: 'command', command: 'ticket claim', locale: 'de', settle_ms: 10_000 });
    const refused = String((second.message as { content?: string } | null)?.content ?? '');
    expect(refused).toMatch(/^Das geht im jetzigen Zustand nicht; vielleicht hat sich gerade etwas geändert \(.*already claimed by .*\)$/);
    // Transcripts by DM speak their reader's language: the owner's note and file header German, those
    // of a staff member whose Discord speaks Japanese Japanese.
    for (const [userId, locale] of [[ticket.owner_id, 'de'], [sandbox.demo.staffUserId, 'ja']] as const) {
      await sandbox.actInteraction({ user_id: userId, channel_id: ticket.channel_id!, type: 'command', command: 'ticket transcript', locale, settle_ms: 10_000 });
      const dm = await eventually(() => {
        const channel = (sandbox.state().channels as unknown as Array<{ id: string; type: number; recipients?: Array<{ id: string }> }>)
          .find((c) => c.type === 1 && c.recipients?.some((r) => r.id === userId));
        const m = channel && (messages(h(), channel.id) as Array<Msg & { attachments?: Array<{ url: string }> }>).find((x) => x.attachments?.length);
        if (!m) throw new Error('no transcript DM yet');
        return m;
      });
      expect(dm.content, locale).toBe(t(locale, 'transcript.dm', { number: ticket.number }));
      const file = await (await fetch(dm.attachments![0]!.url)).text();
      const [first, second] = file.split('\n');
      expect(first, locale).toMatch(new RegExp(`^${t(locale, 'transcriptFile.header', { number: ticket.number, id: ticket.id, group: 'GROUP' }).replace(/[()]/g, '\\$&').replace('GROUP', '.+')}$`));
      expect(second, locale).toMatch(new RegExp(`^${t(locale, 'transcriptFile.opened', { owner: ticket.owner_id, opened: 'OPENED' }).replace('OPENED', '\\S+')}$`));
    }
    expect(t('ja', 'transcript.dm', { number: 1 })).not.toBe(t('en', 'transcript.dm', { number: 1 }));

    // Closing: the close form is German for the German owner.
    const close = await sandbox.actInteraction({ user_id: ticket.owner_id, channel_id: ticket.channel_id!, type: 'button', custom_id: `tb:close:${ticket.id}`, message_id: opening.id, locale: 'de' });
    expect((close.response?.data as unknown as Modal).title).toBe('Ticket schließen');
    expect((close.response?.data as unknown as Modal).components[0]!.components[0]!.label).toBe('Grund (optional)');
  });

  it('a member whose Discord speaks Japanese gets them in Japanese', async () => {
    const { modal, reply, ticket, opening } = await openAs('ja', 'haruto');
    expect(modal.title).toBe('詳しく教えてください');
    expect(modal.components[0]!.components[0]!.label).toBe('何がありましたか？');
    expect(reply).toMatch(/^チケット #\d+ /);
    expectReply(reply, 'ja', ticket);
    expect(buttons(opening).map((b) => b.label)).toEqual(['閉じる', '担当する']);
  });

  it('a member whose language we do not speak gets English', async () => {
    const { modal, reply, ticket, opening } = await openAs('ko', 'minjun');
    expect(modal.title).toBe('Tell us more');
    expect(modal.components[0]!.components[0]!.label).toBe('What happened?');
    expectReply(reply, 'en', ticket);
    expect(reply).toMatch(/^Your ticket #\d+ /);
    expect(buttons(opening).map((b) => b.label)).toEqual(['Close', 'Claim']);
  });

  it("with nothing closer known, a ticket's messages follow the server's preferred locale; the member's replies stay theirs", async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    sandbox.updateGuild(d.guildId, { preferred_locale: 'fr' });
    await eventually(async () => expect(await engine.outbox.localesOf(d.guildId, null)).toEqual([null, 'fr']));
    const { reply, ticket, opening } = await openAs('ko', 'seo-yeon');
    expectReply(reply, 'en', ticket);
    expect(buttons(opening).map((b) => b.label)).toEqual(['Fermer', 'Prendre en charge']);
    // The group's own locale comes before the server's.
    await engine.groups.update(admin, { guild_id: d.guildId, group_id: groupId, locale: 'pl' });
    const second = await openAs('it', 'giulia');
    expect(buttons(second.opening).map((b) => b.label)).toEqual(['Zamknij', 'Przejmij']);
    await engine.groups.update(admin, { guild_id: d.guildId, group_id: groupId, locale: null });
    sandbox.updateGuild(d.guildId, { preferred_locale: 'en-US' });
  });

  it('a server set up in Japanese gets its default ticket group named in Japanese (members read it in our messages)', async () => {
    const { engine, sandbox } = h();
    const joined = sandbox.createGuild({ name: 'サーバー', preferred_locale: 'ja' });
    const group = await eventually(async () => {
      const id = (await engine.guilds.get(joined.guildId)).default_group_id;
      if (!id) throw new Error('not synced yet');
      return engine.groups.get({ guild_id: joined.guildId, group_id: id });
    });
    expect(group.name).toBe('サポート');
  });

  it('/ticket and the context menus are registered with localized names and descriptions for every locale', async () => {
    const { sandbox } = h();
    // The demo guild's commands (other tests add guilds, which get the same ones).
    const commands = (sandbox.state().commands as unknown as Array<{ guild_id?: string }>).filter((c) => c.guild_id === sandbox.demo.guildId) as unknown as Array<{ name: string; type: number; name_localizations: Record<string, string> | null; description_localizations: Record<string, string> | null; options?: Array<{ name: string; name_localizations: Record<string, string>; description_localizations: Record<string, string> }> }>;
    const ticket = commands.find((c) => c.name === 'ticket' && c.type === 1)!;
    const locales = ['de', 'fr', 'es-ES', 'pt-BR', 'pl', 'ru', 'tr', 'ja', 'zh-CN'];
    expect(Object.keys(ticket.name_localizations ?? {}).sort()).toEqual([...locales].sort());
    expect(Object.keys(ticket.description_localizations ?? {}).sort()).toEqual([...locales].sort());
    expect(ticket.description_localizations?.['de']).toBe('Support-Tickets');
    expect(ticket.name_localizations?.['ja']).toBe('チケット');
    const open = ticket.options!.find((o) => o.name === 'open')!;
    expect(open.name_localizations['de']).toBe('öffnen');
    expect(open.description_localizations['zh-CN']).toBe('创建工单');
    for (const o of ticket.options!) expect(Object.keys(o.name_localizations).sort(), o.name).toEqual([...locales].sort());
    const menus = commands.filter((c) => c.type !== 1);
    expect(menus.map((m) => m.name_localizations?.['de']).sort()).toEqual(['Ticket für dieses Mitglied', 'Ticket zu dieser Nachricht']);
  });

  it('the sandbox refuses localized command names Discord refuses', async () => {
    const { sandbox } = h();
    const url = `${sandbox.apiUrl}/v10/applications/${sandbox.applicationId}/guilds/${sandbox.demo.guildId}/commands`;
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { authorization: `Bot ${sandbox.botToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const name of ['Großbuchstaben', 'zwei wörter', 'x'.repeat(33), '']) {
      const res = await post({ name: 'probe', description: 'A probe', name_localizations: { de: name } });
      expect(res.status, name).toBe(400);
      expect(((await res.json()) as { code: number }).code).toBe(50035);
    }
    const badLocale = await post({ name: 'probe', description: 'A probe', name_localizations: { xx: 'probe' } });
    expect(badLocale.status).toBe(400);
    const longDescription = await post({ name: 'probe', description: 'A probe', description_localizations: { de: 'x'.repeat(101) } });
    expect(longDescription.status).toBe(400);
    // A context menu's localized name may have spaces and capitals.
    const menu = await post({ name: 'Probe menu', type: 3, name_localizations: { de: 'Probe Menü' } });
    expect(menu.status).toBe(201);
  });
});
