/**
 * How a Discord locale (an interaction's, a user's, a group's, a guild's preferred one) maps onto
 * the catalogues in locales/, and which one a message takes.
 */
import { LOCALES, type Locale } from '../../engine/locales.js';

export { DISCORD_LOCALES, LOCALES, type Locale } from '../../engine/locales.js';

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

interface LocaleSources { ownerLocale: string | null; guildLocale: string | null; group: { locale: string | null } }

/** Messages in a ticket: its owner's last known language, else the group's, else the server's, else English. */
export const ticketLocale = (tc: LocaleSources): Locale => pickLocale(tc.ownerLocale, tc.group.locale, tc.guildLocale);

/** Messages for staff away from the member (transcript and feedback channels, notes): the group's language, else the server's. */
export const staffLocale = (tc: LocaleSources): Locale => pickLocale(tc.group.locale, tc.guildLocale);
