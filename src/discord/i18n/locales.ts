/**
 * The languages ticketbridge speaks in Discord, named by Discord's locale codes, and how a Discord
 * locale (an interaction's, a user's, a guild's preferred one) maps onto them.
 */

/** Discord's locale codes of the catalogues in locales/ (English first: the source and the fallback). */
export const LOCALES = ['en', 'de', 'fr', 'es-ES', 'pt-BR', 'pl', 'ru', 'tr', 'ja', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Every locale Discord knows (for name_localizations keys and for validating a group's locale). */
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
