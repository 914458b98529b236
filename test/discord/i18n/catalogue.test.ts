/**
 * The message catalogue holds: every locale has exactly English's keys with English's placeholders,
 * every message formats, slash command localizations obey Discord's rules, and no text in
 * src/discord/ reaches Discord without passing through the catalogue (a scan of every literal).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { MESSAGE_COMMAND, TICKET_COMMAND, USER_COMMAND } from '../../../src/discord/commands.js';
import { readCatalogue, t, type MessageKey } from '../../../src/i18n/catalogue.js';
import { LOCALES, pickLocale, type Locale } from '../../../src/i18n/locales.js';
import { scanDiscordLiterals, scanSource } from './scan.js';

const root = new URL('../../../', import.meta.url);
const en = readCatalogue('en');
const keys = Object.keys(en).sort();

/** Argument names a message uses ({name}, {count, plural, …}), nested branches included. */
function placeholders(source: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (elements: ReadonlyArray<Record<string, unknown>>) => {
    for (const el of elements) {
      if (typeof el['value'] === 'string' && el['type'] !== 0) names.add(el['value']);
      const options = el['options'] as Record<string, { value: Array<Record<string, unknown>> }> | undefined;
      if (options) for (const o of Object.values(options)) walk(o.value);
    }
  };
  walk(new IntlMessageFormat(source, locale, undefined, { ignoreTag: true }).getAst() as unknown as Array<Record<string, unknown>>);
  return [...names].sort();
}

/** Sample values: numbers for plural counts and numbers, text for the rest. */
function sample(source: string): Record<string, string | number> {
  return Object.fromEntries(placeholders(source, 'en').map((n) => [n, ['count', 'number', 'index', 'total', 'limit', 'rating', 'max', 'size', 'position'].includes(n) ? 3 : `<${n}>`]));
}

describe('message catalogue', () => {
  it('has one file per locale we speak, shipped in the package', () => {
    const files = readdirSync(new URL('locales/', root)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    expect(files).toEqual([...LOCALES].sort());
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('locales');
  });

  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    it(`${locale}: exactly English's keys, each with English's placeholders, each formatting`, () => {
      const own = readCatalogue(locale);
      const mine = Object.keys(own).sort();
      expect(keys.filter((k) => !mine.includes(k)), `keys missing from ${locale}.json`).toEqual([]);
      expect(mine.filter((k) => !keys.includes(k)), `keys in ${locale}.json that English does not have`).toEqual([]);
      const wrong = keys.filter((k) => JSON.stringify(placeholders(own[k]!, locale)) !== JSON.stringify(placeholders(en[k]!, 'en')))
        .map((k) => `${k}: ${placeholders(own[k]!, locale).join(',')} instead of ${placeholders(en[k]!, 'en').join(',')}`);
      expect(wrong, `placeholders differing from English in ${locale}.json`).toEqual([]);
      for (const k of keys) {
        const out = t(locale, k as MessageKey, sample(en[k]!));
        expect(out.length, k).toBeGreaterThan(0);
        expect(out, `${k} in ${locale} leaves a placeholder unfilled`).not.toMatch(/\{[a-z]+\}/i);
      }
      // Translated, not copied: most messages differ from English (command names like "ticket" may stay).
      const same = keys.filter((k) => own[k] === en[k] && !k.endsWith('.name') && !/^[^a-z]*$/i.test(en[k]!));
      expect(same.length, `messages of ${locale}.json still in English: ${same.join(', ')}`).toBeLessThan(keys.length / 10);
    });
  }

  it('catches a locale that drifts: a missing key, an extra key, a renamed placeholder', () => {
    const broken: Record<string, string> = { ...readCatalogue('de') };
    delete broken['button.close'];
    broken['button.extra'] = 'Extra';
    broken['reply.opened'] = 'Dein Ticket #{nummer} ist offen: {channel}';
    expect(Object.keys(en).filter((k) => !(k in broken))).toEqual(['button.close']);
    expect(Object.keys(broken).filter((k) => !(k in en))).toEqual(['button.extra']);
    expect(placeholders(broken['reply.opened'], 'de')).not.toEqual(placeholders(en['reply.opened']!, 'en'));
  });

  it('plurals follow each language: Polish and Russian have few/many forms', () => {
    expect(t('en', 'queue.title', { count: 1 })).toBe('**1 ticket waiting on staff**, longest first:');
    expect(t('en', 'queue.title', { count: 2 })).toBe('**2 tickets waiting on staff**, longest first:');
    expect(t('pl', 'queue.title', { count: 3 })).toContain('3 zgłoszenia czekają');
    expect(t('pl', 'queue.title', { count: 5 })).toContain('5 zgłoszeń czeka');
    expect(t('ru', 'error.limit', { count: 2, group: 'G', limit: 2 })).toContain('2 открытых тикета');
    expect(t('ru', 'error.limit', { count: 5, group: 'G', limit: 5 })).toContain('5 открытых тикетов');
  });

  it('maps Discord locales onto catalogues, most specific first, English when none fits', () => {
    expect(pickLocale('en-US')).toBe('en');
    expect(pickLocale('en-GB')).toBe('en');
    expect(pickLocale('es-419')).toBe('es-ES');
    expect(pickLocale('pt-BR')).toBe('pt-BR');
    expect(pickLocale('ko')).toBe('en');
    expect(pickLocale('ko', null, 'de')).toBe('de');
    expect(pickLocale(null, undefined)).toBe('en');
  });
});

describe('slash command localizations', () => {
  const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
  const localized = LOCALES.filter((l): l is Exclude<Locale, 'en'> => l !== 'en');

  function check(node: Record<string, unknown>, chat: boolean, path: string, problems: string[]): void {
    const names = node['name_localizations'] as Record<string, string>;
    expect(Object.keys(names).sort(), `${path}: a name for every locale`).toEqual([...localized].sort());
    for (const [l, n] of Object.entries(names)) {
      if (chat ? !NAME.test(n) || n !== n.toLowerCase() : n.length < 1 || n.length > 32) problems.push(`${path} ${l}: "${n}"`);
    }
    if (chat) {
      const descriptions = node['description_localizations'] as Record<string, string>;
      expect(Object.keys(descriptions).sort(), `${path}: a description for every locale`).toEqual([...localized].sort());
      for (const [l, d] of Object.entries(descriptions)) if (d.length < 1 || d.length > 100) problems.push(`${path} ${l} description: ${d.length} characters`);
      for (const o of (node['options'] ?? []) as Array<Record<string, unknown>>) check(o, true, `${path} ${String(o['name'])}`, problems);
      // Names unique among siblings in every language (Discord refuses duplicates).
      const siblings = (node['options'] ?? []) as Array<Record<string, unknown>>;
      for (const l of localized) {
        const seen = siblings.map((o) => (o['name_localizations'] as Record<string, string>)[l]);
        if (new Set(seen).size !== seen.length) problems.push(`${path}: duplicate ${l} option names ${seen.join(', ')}`);
      }
    }
  }

  it('every name and description of /ticket and both context menus is localized within Discord\'s rules', () => {
    const problems: string[] = [];
    check(TICKET_COMMAND as unknown as Record<string, unknown>, true, '/ticket', problems);
    check(MESSAGE_COMMAND as unknown as Record<string, unknown>, false, 'message menu', problems);
    check(USER_COMMAND as unknown as Record<string, unknown>, false, 'user menu', problems);
    expect(problems).toEqual([]);
    // The default names stay English: interactions carry them back whatever the member's language.
    expect(TICKET_COMMAND.name).toBe('ticket');
    expect(TICKET_COMMAND.options.map((o) => o.name)).toContain('closerequest');
  });
});

describe('no Discord text bypasses the catalogue', () => {
  /**
   * Literals in src/discord/ that look like prose but never reach a member in words we should
   * translate. Each says why; anything else found fails the test.
   */
  const ALLOWED: Array<{ file: string; text: string; why: string }> = [
    { file: 'src/discord/errors.ts', text: 'Discord ${…}${…}: ${…}', why: 'describes a failed Discord request for logs and job errors' },
    { file: 'src/discord/errors.ts', text: 'Discord ${…}: ${…}', why: 'describes a failed Discord request for logs and job errors' },
    { file: 'src/discord/errors.ts', text: 'rate limited on ${…} for ${…} ms', why: 'describes a rate limit for logs and job errors' },
    { file: 'src/discord/global-gate.ts', text: 'Authorization', why: 'an HTTP header name' },
    { file: 'src/discord/outbox-worker.ts', text: 'LISTEN discord_jobs', why: 'SQL' },
    { file: 'src/discord/runtime.ts', text: 'Discord closed the shard (${…})', why: "why a shard stopped, for the operator's log" },
    { file: 'src/discord/runtime.ts', text: 'it did not start', why: "why a shard stopped, for the operator's log" },
    { file: 'src/discord/shards/keeper.ts', text: 'lease not renewed in time', why: "why a shard stopped, for the operator's log" },
    { file: 'src/discord/shards/keeper.ts', text: 'lease lost', why: "why a shard stopped, for the operator's log" },
    { file: 'src/discord/shards/keeper.ts', text: 'rebalancing: more than a fair share', why: "why a shard stopped, for the operator's log" },
    { file: 'src/discord/shards/keeper.ts', text: 'process stopping', why: "why a shard stopped, for the operator's log" },
    { file: 'src/discord/runtime.ts', text: 'The bot is not in guild ${…} (Discord says: ${…}). Invite it first.', why: 'engine error answered to the MCP/REST caller of sync_guild' },
    { file: 'src/discord/runtime.ts', text: 'Discord did not answer the sync of guild ${…}: ${…}. Retry in a moment.', why: 'engine error answered to the MCP/REST caller of sync_guild' },
    { file: 'src/discord/runtime.ts', text: 'The bot cannot read channel ${…} (Discord says: ${…}). Give it View Channel and Read Message History there, or stop monitoring the channel.', why: 'engine error answered to the MCP/REST caller reading history' },
    { file: 'src/discord/runtime.ts', text: 'Discord did not answer reading channel ${…}: ${…}. Retry in a moment.', why: 'engine error answered to the MCP/REST caller reading history' },
  ];

  it('every prose literal in src/discord/ and the MCP transcript renderers for people is a catalogue key or on the allowlist with its reason', () => {
    const found = scanDiscordLiterals();
    const stray = found.filter((l) => !ALLOWED.some((a) => a.file === l.file && a.text === l.text)).map((l) => `${l.file}:${l.line} ${JSON.stringify(l.text)}`);
    expect(stray, 'texts reaching Discord without the message catalogue (add them to locales/en.json and every locale)').toEqual([]);
  });

  it('the scan catches an English heading in an HTML page, not its markup', () => {
    const src = 'const page = (title: string) => `<section class="notes"><h2>Staff notes</h2><p lang="en">${title}</p></section>`;';
    expect(scanSource('x.ts', src, { markup: true }).map((l) => l.text)).toEqual(['<section class="notes"><h2>Staff notes</h2><p lang="en">${…}</p></section>']);
    expect(scanSource('x.ts', 'const row = `<dt>${label}</dt><dd class="a b">${value}</dd>`;', { markup: true })).toEqual([]);
  });

  it('the scan catches a reply, a button label and a notice written as English literals', () => {
    const src = `
      import { t } from './i18n/catalogue.js';
      async function f(i, c) {
        await answer(i, 'Ticket closed.');
        const b = { type: 2, label: 'Close', custom_id: 'tb:close:1' };
        await sendOnce(c, 'x', 'notice', notice(\`🔒 Ticket closed by <@\${c.id}>.\`));
        c.logger.info({}, 'this is only a log line');
        throw new Error('an operator error, never shown to members');
        return answer(i, t(locale, 'reply.closed'));
      }`;
    expect(scanSource('x.ts', src).map((l) => l.text)).toEqual(['Ticket closed.', 'Close', '🔒 Ticket closed by <@${…}>.']);
  });
});
