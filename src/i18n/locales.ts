/**
 * How a Discord locale (an interaction's, a user's, a group's, a guild's preferred one) maps onto
 * the catalogues in locales/, and which one a message takes. The rules are the engine's (it reports
 * a ticket's language on get_ticket_locale), so every face and the engine pick the same language.
 */
export {
  catalogueLocale, DISCORD_LOCALES, LOCALES, pickLocale, staffLocale, ticketLocale, ticketLocaleOf, type Locale, type LocaleSource, type LocaleSources,
} from '../engine/locales.js';
