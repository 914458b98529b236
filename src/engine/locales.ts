/**
 * The languages ticketbridge speaks in Discord, by Discord's locale codes: plain data the engine
 * validates settings against (a group's locale and texts); the catalogues themselves live with the
 * Discord face (locales/, src/discord/i18n/).
 */
export const LOCALES = ['en', 'de', 'fr', 'es-ES', 'pt-BR', 'pl', 'ru', 'tr', 'ja', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Every locale Discord knows (name_localizations keys; an interaction's or a guild's locale is one of these). */
export const DISCORD_LOCALES = [
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi',
  'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
] as const;
