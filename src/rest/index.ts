/** The REST face: every dialect's route table on the shared Fastify server. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';

export async function registerRest(_app: FastifyInstance, _deps: AppDeps): Promise<void> {
  // Dialects (ticketeer, husqy, volvox) register here.
}
