/**
 * The fast timestamptz reader gives exactly what pg's default parser gives: for random values in the
 * layout PostgreSQL prints, for what a real server prints under several session time zones, and for
 * the layouts it leaves to the default (BC, infinity, short years).
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimestamptz } from '../../src/db/timestamp-parser.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';

const defaultParser = pg.types.getTypeParser(1184, 'text') as (v: string) => Date | number | null;
const same = (text: string) => {
  const ours = parseTimestamptz(text);
  const theirs = defaultParser(text);
  expect(ours instanceof Date ? ours.getTime() : ours, text).toEqual(theirs instanceof Date ? theirs.getTime() : theirs);
};
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

describe('timestamptz parser', () => {
  it('equals the default parser on random timestamps in PostgreSQL\'s layout', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }),
      fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
      fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
      (y, mo, d, h, mi, s, frac, sign, oh, om, os) => {
        const offset = `${sign}${pad(oh)}${om !== undefined ? `:${pad(om)}${os !== undefined ? `:${pad(os)}` : ''}` : ''}`;
        same(`${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}${frac !== undefined ? `.${frac}` : ''}${offset}`);
      },
    ), { numRuns: 5000 });
  });

  it('leaves other layouts to the default parser', () => {
    for (const text of ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '12345-01-01 00:00:00+00',
      '2024-01-15 10:30:00Z', '2024-01-15 10:30:00', '2024-01-15', '2024-01-15 10:30:00.+00', '2024-01-15 10:30:00+0', 'garbage']) {
      same(text);
    }
  });
});

describe.skipIf(!postgresAvailable())('timestamptz parser against PostgreSQL output', () => {
  let test: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    test = await clonePostgres();
    client = new pg.Client({ connectionString: test.url!, types: { getTypeParser: () => (v: string) => v } as never });
    await client.connect();
  });
  afterAll(async () => { await client.end(); await test.drop(); });

  it('reads what the server prints in zones with odd offsets, including historical ones', async () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Africa/Monrovia', 'Pacific/Chatham', 'America/Los_Angeles']) {
      await client.query(`SET TIME ZONE '${zone}'`);
      const { rows } = await client.query<{ t: string }>(`SELECT (timestamptz '1850-06-01 00:00:00+00' + n * interval '1 day 37 minutes 11.123457 seconds')::text AS t
        FROM generate_series(0, 70000, 97) n`);
      expect(rows.length).toBeGreaterThan(700);
      for (const { t } of rows) same(t);
    }
  });
});
