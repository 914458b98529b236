/**
 * panel.post: post (or update in place) the panel message with its buttons or select menu, creating
 * the panel's channel (and category) first when the panel asks for one. panel.remove: delete it.
 * The panel's current state is read when the job runs; the posted ids are recorded on the panel.
 */
import { ButtonStyle, ChannelType, ComponentType, Routes } from 'discord.js';
import { z } from 'zod';
import type { PanelView } from '../../engine/panels.js';
import { UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, unlessGone } from '../errors.js';
import { t } from '../../i18n/catalogue.js';
import { pickLocale, type Locale } from '../../i18n/locales.js';
import { ids } from '../render.js';
import { ApiChannel, ApiMessage, checkpoint, nonceFor, type JobContext, type JobHandler } from './context.js';

const PostPayload = z.object({
  panel_id: z.string(), channel_id: z.string().nullish(), message_id: z.string().nullish(),
  create_channel: z.boolean().nullish(), category_id: z.string().nullish(), create_category: z.boolean().nullish(),
});

const colour = (hex: string | null): number | undefined => {
  if (!hex) return undefined;
  const n = Number.parseInt(hex.replace(/^#/, ''), 16);
  return Number.isFinite(n) ? n : undefined;
};

/** A panel speaks to everyone in the channel: our words on it take its group's language, else the server's. */
export function panelMessage(panel: PanelView, locale: Locale): Record<string, unknown> {
  const embed: Record<string, unknown> = {
    title: (panel.title ?? panel.name).slice(0, 256),
    ...(panel.description ? { description: panel.description.slice(0, 4096) } : {}),
    ...(colour(panel.color) !== undefined ? { color: colour(panel.color) } : {}),
    ...(panel.image_url ? { image: { url: panel.image_url } } : {}),
    ...(panel.thumbnail_url ? { thumbnail: { url: panel.thumbnail_url } } : {}),
    ...(panel.footer ? { footer: { text: panel.footer.slice(0, 2048) } } : {}),
  };
  const options = panel.options.slice(0, 25);
  const emoji = (o: PanelView['options'][number]) => (o.emoji_id ? { emoji: { id: o.emoji_id, name: o.emoji_name ?? undefined } } : o.emoji_name ? { emoji: { name: o.emoji_name } } : {});
  let components: unknown[];
  if (options.length === 0) {
    components = [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: t(locale, 'panel.openButton'), custom_id: ids.panelOption(panel.id, '-') }] }];
  } else if (panel.component === 'select') {
    components = [{
      type: ComponentType.ActionRow,
      components: [{
        type: ComponentType.StringSelect, custom_id: ids.panelSelect(panel.id), placeholder: (panel.placeholder ?? t(locale, 'panel.choose')).slice(0, 150),
        options: options.map((o) => ({ label: o.title.slice(0, 100), value: o.id, ...(o.description ? { description: o.description.slice(0, 100) } : {}), ...emoji(o) })),
      }],
    }];
  } else {
    components = [];
    for (let i = 0; i < options.length; i += 5) {
      components.push({
        type: ComponentType.ActionRow,
        components: options.slice(i, i + 5).map((o) => ({
          type: ComponentType.Button, style: [1, 2, 3, 4].includes(o.style) ? o.style : ButtonStyle.Primary,
          label: o.title.slice(0, 80), custom_id: ids.panelOption(panel.id, o.id), ...emoji(o),
        })),
      });
    }
  }
  return { embeds: [embed], components };
}

async function panelChannel(c: JobContext, panel: PanelView, p: z.infer<typeof PostPayload>, locale: Locale): Promise<string> {
  const given = panel.channel_id && panel.channel_id !== 'create' ? panel.channel_id : null;
  if (given) return given;
  const made = c.job.checkpoint['channel_id'];
  if (typeof made === 'string') return made;
  let parent = panel.category_id && panel.category_id !== 'create' ? panel.category_id : (p.category_id ?? null);
  if (!parent && (p.create_category || panel.category_id === 'create')) {
    // Members see the category over the panel's channel: named in the panel's language.
    const cat = ApiChannel.parse(await c.rest.post(Routes.guildChannels(panel.guild_id), { body: { name: t(locale, 'setup.category.tickets'), type: ChannelType.GuildCategory } }));
    parent = cat.id;
  }
  const ch = ApiChannel.parse(await c.rest.post(Routes.guildChannels(panel.guild_id), {
    body: { name: panel.name.toLowerCase().replace(/\s+/g, '-').slice(0, 100) || 'tickets', type: ChannelType.GuildText, ...(parent ? { parent_id: parent } : {}) },
  }));
  await checkpoint(c, { channel_id: ch.id });
  return ch.id;
}

export const postPanel: JobHandler = async (c) => {
  const p = PostPayload.parse(c.job.payload);
  const panel = await c.engine.panels.get({ guild_id: c.job.guild_id, panel_id: p.panel_id }).catch(() => null);
  if (!panel) return { result: { skipped: 'panel deleted' } };
  const locale = pickLocale(...(await c.engine.outbox.localesOf(panel.guild_id, panel.group_id)));
  const channelId = await panelChannel(c, panel, p, locale);
  const body = panelMessage(panel, locale);
  let messageId = panel.message_id && panel.channel_id === channelId ? panel.message_id : null;
  if (messageId) {
    const edited = await unlessGone(async () => ApiMessage.parse(await c.rest.patch(Routes.channelMessage(channelId, messageId as string), { body })), [UNKNOWN_MESSAGE], null);
    if (!edited) messageId = null; // deleted by hand: post a new one
  }
  if (!messageId) {
    const m = ApiMessage.parse(await c.rest.post(Routes.channelMessages(channelId), { body: { ...body, nonce: nonceFor(c.job, 'panel'), enforce_nonce: true } }));
    messageId = m.id;
  }
  await c.engine.outbox.recordPanelMessage(panel.guild_id, panel.id, channelId, messageId);
  return { result: { channel_id: channelId, message_id: messageId } };
};

export const removePanel: JobHandler = async (c) => {
  const p = z.object({ channel_id: z.string(), message_id: z.string() }).parse(c.job.payload);
  await unlessGone(() => c.rest.delete(Routes.channelMessage(p.channel_id, p.message_id)), [UNKNOWN_MESSAGE, UNKNOWN_CHANNEL], null);
  return { result: { deleted: p.message_id } };
};
