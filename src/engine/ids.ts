/** Discord-style snowflakes for the rows we create (tickets, groups, panels, tokens …). */
import { randomUUID } from 'node:crypto';
import { Snowflake } from '@sapphire/snowflake';

const DISCORD_EPOCH = 1420070400000n;
const generator = new Snowflake(DISCORD_EPOCH);

export function newId(): string {
  return generator.generate({ workerId: BigInt(process.pid % 32), processId: 0n }).toString();
}

export function newUuid(): string {
  return randomUUID();
}

/** 17–20 digit decimal string: what Discord snowflakes look like. */
export const SNOWFLAKE_PATTERN = /^\d{17,20}$/;
