/** What a job handler works with: the REST client, the engine, the claimed job and its checkpoints. */
import { createHash } from 'node:crypto';
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { Engine } from '../../engine/index.js';
import type { JobInput } from '../../engine/jobs.js';
import type { ClaimedJob } from '../../engine/outbox.js';
import type { Logger } from '../../logger.js';
import type { MessageBody } from '../render.js';

export type JobResult =
  | { result?: Record<string, unknown>; followUps?: JobInput[] }
  | { defer: Date; why: string };

export interface JobContext {
  rest: REST;
  engine: Engine;
  botUserId: string;
  logger: Logger;
  job: ClaimedJob;
}

export type JobHandler = (c: JobContext) => Promise<JobResult | undefined>;

/** A job that cannot succeed however often it is retried. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export const ApiMessage = z.looseObject({ id: z.string(), channel_id: z.string() });
export const ApiChannel = z.looseObject({
  id: z.string(), type: z.number(), name: z.string().nullish(), parent_id: z.string().nullish(),
  permission_overwrites: z.array(z.looseObject({ id: z.string(), type: z.number() })).optional(),
});
export type ApiChannel = z.infer<typeof ApiChannel>;

/** Deterministic per job and step (≤ 25 characters): with enforce_nonce, a retried send is not posted twice. */
export function nonceFor(job: ClaimedJob, step: string): string {
  return createHash('sha256').update(`${job.id}:${step}`).digest('base64url').slice(0, 25);
}

export async function checkpoint(c: JobContext, patch: Record<string, unknown>): Promise<void> {
  await c.engine.outbox.checkpoint(c.job, patch);
}

/**
 * Posts a message once per job step: a step already recorded is skipped, and a retried request
 * carries the same nonce so Discord returns the earlier message instead of posting again.
 */
export async function sendOnce(c: JobContext, channelId: string, step: string, body: MessageBody, files?: Array<{ name: string; data: Buffer; contentType?: string }>): Promise<string> {
  const key = `msg_${step}`;
  const done = c.job.checkpoint[key];
  if (typeof done === 'string') return done;
  const payload = { ...body, nonce: nonceFor(c.job, step), enforce_nonce: true };
  const message = ApiMessage.parse(await c.rest.post(Routes.channelMessages(channelId), files ? { body: payload, files } : { body: payload }));
  await checkpoint(c, { [key]: message.id });
  return message.id;
}

/** Snowflake → creation time (ms). */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + 1420070400000n);
}
