/**
 * Discord's word filter on channel and thread names in community servers (all sandbox guilds are
 * COMMUNITY): a name containing a term Discord keeps off Server Discovery is refused with a 50035 on
 * `name`. Discord does not publish its list; the sandbox knows one term reported by ticket-bot users
 * (ticket number 1488 could not be opened), enough to drive the same refusal in tests.
 */
import { fieldError } from './errors.js';

export const BLOCKED_NAME_TERMS: readonly string[] = ['1488'];

export function checkCommunityName(name: string): void {
  const lower = name.toLowerCase();
  if (BLOCKED_NAME_TERMS.some((t) => lower.includes(t))) {
    throw fieldError(['name'], 'INVALID_COMMUNITY_PROPERTY_NAME', 'Contains words not allowed for servers in Server Discovery.');
  }
}
