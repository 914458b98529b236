/**
 * The /ticket slash command and its subcommands, registered per guild, and the two context menus:
 * names and descriptions in English (what interactions carry back) with name_localizations and
 * description_localizations from every catalogue, so each member sees them in their language.
 */
import { ApplicationCommandOptionType as O, Routes, type REST } from 'discord.js';
import { t, type MessageKey } from '../i18n/catalogue.js';
import { LOCALES, type Locale } from '../i18n/locales.js';

/** Discord has no plain "en": the catalogue's English is the default text, so it needs no localization. */
const LOCALIZED = LOCALES.filter((l): l is Exclude<Locale, 'en'> => l !== 'en');

/** `{de: …, fr: …}` for one catalogue key (English left out: it is the default). */
export function localizations(key: MessageKey): Record<string, string> {
  return Object.fromEntries(LOCALIZED.map((l) => [l, t(l, key)]));
}

const named = (nameKey: MessageKey, descriptionKey: MessageKey) => ({
  name: t('en', nameKey), name_localizations: localizations(nameKey),
  description: t('en', descriptionKey), description_localizations: localizations(descriptionKey),
});

type Sub = 'open' | 'close' | 'closerequest' | 'reopen' | 'claim' | 'unclaim' | 'add' | 'remove' | 'rename' | 'priority' | 'lock' | 'unlock' | 'transcript' | 'notes' | 'tag' | 'queue';
const sub = (name: Sub, options: unknown[] = []) => ({
  type: O.Subcommand, ...named(`command.${name}.name` as MessageKey, `command.${name}.description` as MessageKey), options,
});
const user = (on: 'add' | 'remove') => ({ type: O.User, ...named('option.user.name', `option.${on}.user.description`), required: true });

export const TICKET_COMMAND = {
  ...named('command.ticket.name', 'command.ticket.description'),
  type: 1,
  options: [
    sub('open', [{ type: O.String, ...named('option.topic.name', 'option.topic.description'), required: false, max_length: 1024 }]),
    sub('close', [{ type: O.String, ...named('option.reason.name', 'option.close.reason.description'), required: false, max_length: 1000 }]),
    sub('closerequest', [
      { type: O.String, ...named('option.reason.name', 'option.closerequest.reason.description'), required: false, max_length: 1000 },
      { type: O.Integer, ...named('option.hours.name', 'option.hours.description'), required: false, min_value: 1, max_value: 720 },
    ]),
    sub('reopen'),
    sub('claim'),
    sub('unclaim'),
    sub('add', [user('add')]),
    sub('remove', [user('remove')]),
    sub('rename', [{ type: O.String, ...named('option.name.name', 'option.rename.name.description'), required: false, max_length: 100 }]),
    sub('priority', [{ type: O.Integer, ...named('option.level.name', 'option.level.description'), required: true, min_value: 0 }]),
    sub('lock'),
    sub('unlock'),
    sub('transcript'),
    sub('notes'),
    sub('tag', [{ type: O.String, ...named('option.name.name', 'option.tag.name.description'), required: true, max_length: 100 }]),
    sub('queue'),
  ],
};

/** Right-click a message: open a ticket about it (for yourself), the message quoted with its link. */
export const MESSAGE_COMMAND = { name: t('en', 'contextMenu.message.name'), name_localizations: localizations('contextMenu.message.name'), type: 3 };
/** Right-click a member (staff only): open a ticket for them. */
export const USER_COMMAND = { name: t('en', 'contextMenu.user.name'), name_localizations: localizations('contextMenu.user.name'), type: 2 };

export async function registerCommands(rest: REST, applicationId: string, guildId: string): Promise<void> {
  await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body: [TICKET_COMMAND, MESSAGE_COMMAND, USER_COMMAND] });
}
