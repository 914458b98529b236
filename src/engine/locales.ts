/**
 * The languages ticketbridge speaks, by Discord's locale codes: plain data the engine validates
 * settings against (a group's locale and texts), and which of them a ticket speaks (the engine
 * reports it on get_ticket_locale; the Discord face picks its messages' language the same way). The
 * catalogues themselves are in locales/, read by src/i18n/.
 */
export const LOCALES = ['en', 'de', 'fr', 'es-ES', 'pt-BR', 'pl', 'ru', 'tr', 'ja', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Every locale Discord knows (name_localizations keys; an interaction's or a guild's locale is one of these). */
export const DISCORD_LOCALES = [
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi',
  'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
] as const;

/** Discord locales served by a catalogue of another code (Discord has no plain "en" or "es"). */
const ALIASES: Record<string, Locale> = { 'en-US': 'en', 'en-GB': 'en', 'es-419': 'es-ES' };

/** The catalogue for one Discord locale, or null when we have none for it. */
export function catalogueLocale(code: string | null | undefined): Locale | null {
  if (!code) return null;
  if ((LOCALES as readonly string[]).includes(code)) return code as Locale;
  return ALIASES[code] ?? null;
}

/** The first of `candidates` (most specific first) that we have a catalogue for; English when none. */
export function pickLocale(...candidates: Array<string | null | undefined>): Locale {
  for (const c of candidates) {
    const l = catalogueLocale(c);
    if (l) return l;
  }
  return 'en';
}

export interface LocaleSources { ownerLocale: string | null; guildLocale: string | null; group: { locale: string | null } }

/** Where a ticket's language came from. */
export type LocaleSource = 'owner' | 'group' | 'guild' | 'default';

/** A ticket's language and where it came from: its owner's last known one, else the group's, else the server's, else English. */
export function ticketLocaleOf(tc: LocaleSources): { locale: Locale; source: LocaleSource } {
  const candidates: Array<[string | null, LocaleSource]> = [[tc.ownerLocale, 'owner'], [tc.group.locale, 'group'], [tc.guildLocale, 'guild']];
  for (const [code, source] of candidates) {
    const locale = catalogueLocale(code);
    if (locale) return { locale, source };
  }
  return { locale: 'en', source: 'default' };
}

/** Messages in a ticket: its owner's last known language, else the group's, else the server's, else English. */
export const ticketLocale = (tc: LocaleSources): Locale => ticketLocaleOf(tc).locale;

/** Messages for staff away from the member (transcript and feedback channels, notes): the group's language, else the server's. */
export const staffLocale = (tc: LocaleSources): Locale => pickLocale(tc.group.locale, tc.guildLocale);
