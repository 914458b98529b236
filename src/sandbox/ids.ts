// Real Discord snowflakes (epoch 2015) so discord.js's `\d{17,19}` bucket regex and timestamp
// decoding behave as with Discord. Random-looking tokens for webhooks and interactions.
import { randomBytes } from 'node:crypto';
import { DiscordSnowflake } from '@sapphire/snowflake';

export function newId(): string {
  return DiscordSnowflake.generate().toString();
}

export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function idTimestamp(id: string): number {
  return Number(DiscordSnowflake.timestampFrom(id));
}
