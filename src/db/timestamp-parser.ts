/**
 * A faster reader of PostgreSQL `timestamptz` text. pg's default (postgres-date) runs three regular
 * expressions per value; a ticket row has about ten timestamps, and parsing them was ~40% of the cost
 * of reading a page of tickets. This reads the one layout PostgreSQL prints with DateStyle ISO,
 * `YYYY-MM-DD HH:MM:SS[.f…](+|-)HH[:MM[:SS]]`, character by character, and hands anything else
 * (BC dates, infinity, years outside 1000–9999) to the default parser, so results are the same.
 */
import pg from 'pg';

const TIMESTAMPTZ = 1184;
const fallback = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (value: string) => Date | number | null;

const ZERO = 48;
const isDigit = (c: number) => c >= ZERO && c <= ZERO + 9;

/** Two digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  return isDigit(a) && isDigit(b) ? (a - ZERO) * 10 + (b - ZERO) : -1;
}

export function parseTimestamptz(s: string): Date | number | null {
  const fast = parseIso(s);
  return fast ?? fallback(s);
}

function parseIso(s: string): Date | undefined {
  if (s.length < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32
    || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const century = two(s, 0);
  const yy = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (century < 10 || yy < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    const start = i;
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === start + 1) return undefined;
    // The same arithmetic as the default parser, so fractions round alike.
    ms = 1000 * parseFloat(s.slice(start, i));
  }
  const sign = s.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return undefined;
  const oh = two(s, i + 1);
  if (oh < 0) return undefined;
  i += 3;
  let om = 0;
  let os = 0;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 58 || (om = two(s, i + 1)) < 0) return undefined;
    i += 3;
    if (i < s.length) {
      if (s.charCodeAt(i) !== 58 || (os = two(s, i + 1)) < 0) return undefined;
      i += 3;
    }
  }
  if (i !== s.length) return undefined;
  const offsetMs = (sign === 45 ? -1 : 1) * ((oh * 60 + om) * 60 + os) * 1000;
  return new Date(Date.UTC(century * 100 + yy, month - 1, day, hour, minute, second, ms) - offsetMs);
}

/** pg's type lookup with this parser for timestamptz. */
export const fastTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (oid === TIMESTAMPTZ && format !== 'binary' ? parseTimestamptz : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser,
};
