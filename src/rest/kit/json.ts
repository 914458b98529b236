/**
 * The REST JSON body parser. Two things the default parser gets wrong for these APIs:
 * an empty body with `Content-Type: application/json` (the documented curl examples send one) is
 * no body, not an error; and integers too long for a double (Husqy sends guild ids as JSON
 * integers) are kept exactly, as digit strings, instead of being rounded.
 */

/** Integer literals this long may not survive a double; they become strings before parsing. */
const LONG_INTEGER = /\d{16,}/;

export class JsonBodyError extends Error {
  override name = 'JsonBodyError';
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  const source = LONG_INTEGER.test(text) ? quoteLongIntegers(text) : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (err) {
    throw new JsonBodyError(`The request body is not valid JSON (${(err as Error).message}). Send a JSON object.`);
  }
}

/** Wraps integer literals of 16+ digits that stand outside strings in quotes. */
export function quoteLongIntegers(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  let last = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) { i += 2; continue; }
      if (c === 34 /* " */) inString = false;
      i++;
      continue;
    }
    if (c === 34) { inString = true; i++; continue; }
    if ((c >= 48 && c <= 57) || c === 45 /* - */) {
      let j = i + (c === 45 ? 1 : 0);
      while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
      const next = text[j];
      const isInteger = next !== '.' && next !== 'e' && next !== 'E';
      const digits = j - i - (c === 45 ? 1 : 0);
      if (isInteger && digits >= 16) {
        out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
        last = j;
      }
      i = j === i ? i + 1 : j;
      continue;
    }
    i++;
  }
  return out + text.slice(last);
}
