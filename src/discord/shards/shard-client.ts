/**
 * One gateway shard run by discord.js's own sharding (`shards: [id]`, `shardCount`): a Client per
 * leased shard, so a process can start and stop the shards it holds one by one without touching the
 * others. Its gateway handlers are attached at start and detached synchronously at stop: once a
 * stop begins (a lost lease), no further event of that shard is handled here.
 */
import { Client, Events, GatewayIntentBits, Partials, type RESTOptions } from 'discord.js';
import type { Engine } from '../../engine/index.js';
import type { Logger } from '../../logger.js';
import { attachGateway } from '../gateway/index.js';
import type { IdentifyThrottler } from './identify-gate.js';

export interface ShardClientOptions {
  shardId: number;
  shardCount: number;
  token: string;
  rest: Partial<RESTOptions>;
  engine: Engine;
  logger: Logger;
  /** A guild the bot joined while this shard ran. */
  onGuildJoin: (guildId: string) => void;
  /** The shard identified again after a session was lost (not a resume): events may have been missed. */
  onReidentified: () => void;
  /** discord.js gave the shard up (an unrecoverable close code): the lease should go back. */
  onDead: (code: number) => void;
  /** How long to wait for READY and the shard's guilds once Discord may be asked (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Paces this shard's IDENTIFYs with every other shard of the bot (identify-gate.ts); discord.js's
   * own throttler, per Client, when absent. The ready timeout counts from the shard's turn: a shard
   * may wait its turn for longer than that.
   */
  identify?: IdentifyThrottler;
}

export interface ShardClient {
  readonly client: Client;
  readonly ready: boolean;
  /** Resolves once the shard is ready with its guilds; rejects if Discord refused it or it was stopped first. */
  readonly started: Promise<void>;
  /** The guilds this shard hears (known once ready). */
  guildIds(): string[];
  /** Detaches the handlers at once, then closes the gateway session. Safe at any time, also while starting. */
  stop(): Promise<void>;
}

/** How long a stop waits for discord.js to close the shard's socket. */
const DESTROY_WAIT_MS = 5_000;

export function startShardClient(opts: ShardClientOptions): ShardClient {
  /** (Re)starts the ready timeout; called whenever the shard's IDENTIFY is allowed. */
  let identifyAllowed = () => {};
  const gate = opts.identify;
  // The wait ends with discord.js's own signal, which destroying the client aborts (a wait that
  // throws for any other reason makes discord.js reconnect and ask again, even once destroyed).
  const ws = gate ? {
    buildIdentifyThrottler: () => ({
      async waitForIdentify(shardId: number, signal: AbortSignal) {
        await gate.waitForIdentify(shardId, signal);
        identifyAllowed();
      },
    }),
  } : {};
  const client = new Client({
    ws,
    intents: [
      GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel, Partials.Message, Partials.GuildMember],
    shards: [opts.shardId],
    shardCount: opts.shardCount,
    rest: opts.rest,
  });
  let detach: (() => void) | null = attachGateway({ client, engine: opts.engine, logger: opts.logger, onGuildJoin: opts.onGuildJoin });
  client.on(Events.Error, (err) => opts.logger.warn({ err: err.message, shard: opts.shardId }, 'discord.js error'));
  let ready = false;
  let stopped = false;
  let destroyed: Promise<void> | null = null;
  /** Rejected by stop(): a shard stopped while starting gives up its start at once. */
  let rejectStart: (err: Error) => void = () => {};
  const stoppedWhileStarting = new Promise<never>((_resolve, reject) => { rejectStart = reject; });
  stoppedWhileStarting.catch(() => {});
  const stop = (): Promise<void> => {
    stopped = true;
    ready = false;
    rejectStart(new Error(`shard ${opts.shardId} was stopped while starting`));
    detach?.(); // synchronous: from here on no event of this shard is handled
    detach = null;
    // Bounded: discord.js's destroy of a shard caught between connecting and its identify turn can
    // wait on its socket indefinitely (seen under load), and a stop must not hold the lease's release
    // or the process's shutdown. Its handlers are detached already; the socket goes with the process.
    destroyed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        opts.logger.warn({ shard: opts.shardId }, 'discord.js did not finish closing the shard within 5 s; leaving it');
        resolve();
      }, DESTROY_WAIT_MS);
      timer.unref();
      void client.destroy().catch(() => {}).finally(() => { clearTimeout(timer); resolve(); });
    });
    return destroyed;
  };

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const started = (async () => {
    const readyP = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      // Counted from the latest turn: a start Discord refused waits for its next turn again.
      const arm = () => { clearTimeout(timer); timer = setTimeout(() => reject(new Error(`shard ${opts.shardId} was not ready within ${timeoutMs} ms of being allowed to identify`)), timeoutMs); };
      if (gate) identifyAllowed = arm; else arm();
      client.once(Events.ClientReady, () => { clearTimeout(timer); resolve(); });
      client.once(Events.ShardDisconnect, (ev) => { clearTimeout(timer); reject(new Error(`Discord closed shard ${opts.shardId} (${ev.code})`)); });
    });
    readyP.catch(() => {});
    const login = client.login(opts.token);
    // Stopped while discord.js was still fetching the gateway: its shards connect after the first
    // destroy found none to close, so destroy again once the login is over.
    void login.finally(() => { if (stopped) void client.destroy().catch(() => {}); }).catch(() => {});
    await Promise.race([login, stoppedWhileStarting]);
    await Promise.race([readyP, stoppedWhileStarting]);
    if (stopped) throw new Error(`shard ${opts.shardId} was stopped while starting`);
    ready = true;
    // Later life: attached after the first READY so that one is not taken for a re-identify.
    client.on(Events.ShardReady, () => { if (!stopped) { ready = true; opts.onReidentified(); } });
    client.on(Events.ShardResume, () => { if (!stopped) ready = true; });
    client.on(Events.ShardReconnecting, () => { ready = false; });
    client.on(Events.ShardDisconnect, (ev) => { if (!stopped) { ready = false; opts.onDead(ev.code); } });
  })();
  started.catch(() => { void stop(); });

  return {
    client,
    get ready() { return ready; },
    started,
    guildIds: () => [...client.guilds.cache.keys()],
    stop,
  };
}
