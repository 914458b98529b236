/**
 * The message catalogue: every text ticketbridge shows to people (in Discord, and the headings of the
 * transcripts the MCP face renders for people), one JSON file per locale in
 * locales/ (flat "key": "ICU message" pairs a translator edits without reading code), formatted with
 * intl-messageformat (ICU plurals, selects, numbers). English is the source: a key missing from
 * another locale falls back to it (the catalogue test refuses such a file before it ships).
 * Staff-written texts (custom messages, group templates) never pass through here. It sits outside
 * every face so each face can speak through it without importing another face.
 */
import { readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { z } from 'zod';
import type en from '../../locales/en.json';
import { LOCALES, type Locale } from './locales.js';

export type MessageKey = keyof typeof en;
export type MessageParams = Record<string, string | number>;

const CatalogueFile = z.record(z.string(), z.string());

/** locales/ sits at the package root: two levels up from src/i18n/ and dist/i18n/ alike. */
export function catalogueUrl(locale: Locale): URL {
  return new URL(`../../locales/${locale}.json`, import.meta.url);
}

export function readCatalogue(locale: Locale): Record<string, string> {
  return CatalogueFile.parse(JSON.parse(readFileSync(catalogueUrl(locale), 'utf8')));
}

const catalogues = new Map<Locale, Record<string, string>>(LOCALES.map((l) => [l, readCatalogue(l)]));
const compiled = new Map<string, IntlMessageFormat>();

/** ICU tags stay off: Discord markup (<@id>, <#id>, <t:…:R>) is text, not a rich-text tag. */
export function compile(source: string, locale: Locale): IntlMessageFormat {
  return new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
}

/** Whether `key` is a message of the catalogue (for keys that arrive as data, e.g. in a job payload). */
export function isMessageKey(key: string): key is MessageKey {
  return key in (catalogues.get('en') ?? {});
}

/** The message `key` in `locale`, filled with `params`. */
export function t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  const own = catalogues.get(locale)?.[key];
  const at = own === undefined ? 'en' : locale;
  const source = own ?? catalogues.get('en')?.[key];
  if (source === undefined) throw new Error(`The message catalogue has no key "${key}"`);
  const cacheKey = `${at}\u0000${key}`;
  let f = compiled.get(cacheKey);
  if (!f) compiled.set(cacheKey, (f = compile(source, at)));
  return String(f.format(params));
}

/** A translator bound to one locale: `tr('button.close')`. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;
export const translator = (locale: Locale): Translate => (key, params) => t(locale, key, params);
