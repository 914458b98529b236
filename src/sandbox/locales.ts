// Discord's locale codes: what interactions carry as `locale`, what a guild's preferred_locale is,
// and the only keys Discord accepts in name_localizations / description_localizations.
// The sandbox keeps its own list: it emulates Discord and knows nothing of ticketbridge.
export const DISCORD_LOCALE_CODES = [
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi',
  'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
] as const;
