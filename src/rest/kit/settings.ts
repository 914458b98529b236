/** The REST face's settings: the TICKETBRIDGE_* limits of the one validated configuration (src/config.ts). */
import type { Config } from '../../config.js';

export type RestSettings = Pick<Config,
  | 'TICKETBRIDGE_RATE_LIMIT_TOKEN' | 'TICKETBRIDGE_RATE_LIMIT_IP' | 'TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP' | 'TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR'
  | 'TICKETBRIDGE_RATE_LIMIT_WINDOW' | 'TICKETBRIDGE_REST_BODY_LIMIT' | 'TICKETBRIDGE_TOKEN_CACHE_MS' | 'TICKETBRIDGE_IDEMPOTENCY_TTL'>;
