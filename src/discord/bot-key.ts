/** The key a bot's shared rows are filed under in the database: a hash of its token, never the token. */
import { createHash } from 'node:crypto';

export const botKeyOf = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 16);
