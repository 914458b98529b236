// The WebSocket gateway (v10, JSON encoding): HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE,
// RESUME with replay of missed dispatches, op 7/9, op 8 member chunks, intent filtering, and
// sharding (a session hears only the guilds of its shard; 4010 invalid shard, 4011 sharding required).
// Sessions outlive their sockets so a dropped connection can resume without losing a dispatch.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket, RawData } from 'ws';
import { newToken } from './ids.js';
import { ALL_INTENTS, Intent, blankContent, requiredIntent } from './intents.js';
import { P, has } from './permissions.js';
import { channelJson, guildJson, memberJson, userJson } from './serialize.js';
import type { Json } from './serialize.js';
import { IDENTIFY_WINDOW_MS, parseShard, shardOf, type ShardingSettings } from './sharding.js';
import type { Store } from './store.js';

const HEARTBEAT_INTERVAL_MS = 41_250;
/** How long a disconnected session stays resumable, and how many dispatches it keeps. */
const RESUME_WINDOW_MS = 5 * 60_000;
const REPLAY_BUFFER = 5_000;

interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  /** [shard_id, shard_count] from IDENTIFY. */
  shard: [number, number];
  /** Dispatches sent to this session (READY and replays included). */
  dispatched: number;
  seq: number;
  socket: WebSocket | null;
  buffer: Dispatch[];
  expiry: NodeJS.Timeout | null;
}

interface Connection {
  ws: WebSocket;
  session: Session | null;
  /** Host header of the upgrade request: resume_gateway_url points back to it. */
  host: string | undefined;
}

export interface DispatchScope {
  guildId?: string | null;
  /** Message-type events: skipped for sessions whose bot cannot view this channel. */
  channelId?: string;
  dm?: boolean;
}

export interface GatewayDeps {
  store: Store;
  botToken: string;
  wsUrl: (host?: string) => string;
  logger: Logger;
  /** Recommended shard count and the guild count that requires sharding (the control API changes them). */
  sharding: ShardingSettings;
}

export interface SessionInfo {
  shard: [number, number];
  connected: boolean;
  dispatched: number;
}

/** Session starts as Discord counts them (GET /_sandbox/gateway `identifies`). */
export interface IdentifyCounts {
  /** IDENTIFYs that started a session. */
  started: number;
  /** IDENTIFYs answered with op 9 because their bucket had started a session less than 5 s before. */
  refused: number;
  /** Per bucket (shard_id % max_concurrency), the ms between consecutive session starts; the smallest gap first. */
  min_gap_ms: number | null;
}

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 * 1024 });
  private closing = false;
  /** When each identify bucket last started a session. */
  private readonly lastIdentify = new Map<number, number>();
  private readonly identifyCounts = { started: 0, refused: 0, minGapMs: Number.POSITIVE_INFINITY };
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  /** Resolved whenever a session becomes ready or resumes (tests and actInteraction await it). */
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly deps: GatewayDeps) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Closing: a client that reconnects now would keep the server from ever finishing its close.
    if (this.closing) { socket.destroy(); return; }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.closing) { ws.terminate(); return; }
      this.onConnection(ws, req.headers.host);
    });
  }

  /** Sessions that could still receive a dispatch (connected or resumable). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  get connectedCount(): number {
    return [...this.sessions.values()].filter((s) => s.socket !== null).length;
  }

  /** Every live session with its shard, for the control API's state. */
  sessionInfo(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ shard: s.shard, connected: s.socket !== null, dispatched: s.dispatched }));
  }

  /** Whether a session on `shard` hears events of `guildId` (null: DMs, which Discord sends to shard 0). */
  private hears(s: Session, guildId: string | null | undefined): boolean {
    const [id, count] = s.shard;
    if (!guildId) return id === 0;
    return shardOf(guildId, count) === id;
  }

  /** Resolves once at least one session is connected and ready. */
  waitForReady(timeoutMs: number): Promise<boolean> {
    if (this.connectedCount > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  dispatch(t: string, d: Json, scope: DispatchScope = {}): void {
    const { store } = this.deps;
    const need = requiredIntent(t, scope.dm ?? false);
    let canView = true;
    if (scope.channelId) {
      const ch = store.channels.get(scope.channelId);
      canView = !ch || !ch.guildId || has(store.permissionsIn(ch, store.botUserId), P.ViewChannel);
    }
    if (!canView) return;
    const isMessage = t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE';
    for (const s of this.sessions.values()) {
      if (need !== null && (s.intents & need) === 0) continue;
      if (!this.hears(s, scope.guildId)) continue;
      let data: unknown = d;
      if (isMessage && (s.intents & Intent.MessageContent) === 0) {
        data = blankContent(d, store.botUserId, scope.dm ?? false);
      }
      this.sendDispatch(s, t, data);
    }
  }

  /** Drop every connection abruptly (no close frame), as a network failure would. */
  dropConnections(): number {
    let n = 0;
    for (const c of this.connections) {
      c.ws.terminate();
      n++;
    }
    return n;
  }

  /** Ask clients to reconnect and resume (op 7). */
  requestReconnect(): number {
    let n = 0;
    for (const c of this.connections) {
      this.send(c.ws, { op: 7, d: null });
      n++;
    }
    return n;
  }

  /** Session starts so far, those refused by the identify limit, and the tightest spacing seen. */
  identifies(): IdentifyCounts {
    const { started, refused, minGapMs } = this.identifyCounts;
    return { started, refused, min_gap_ms: Number.isFinite(minGapMs) ? minGapMs : null };
  }

  /** Invalidate every session (op 9, not resumable): clients identify again. */
  invalidateSessions(): number {
    let n = 0;
    for (const c of this.connections) {
      this.send(c.ws, { op: 9, d: false });
      n++;
    }
    for (const s of this.sessions.values()) this.endSession(s);
    return n;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.connections) c.ws.terminate();
    for (const s of this.sessions.values()) this.endSession(s);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private endSession(s: Session): void {
    if (s.expiry) clearTimeout(s.expiry);
    this.sessions.delete(s.id);
  }

  /** The bot joined a guild (POST /_sandbox/guilds): GUILD_CREATE to the sessions of its shard. */
  guildJoined(guildId: string): void {
    for (const s of this.sessions.values()) {
      if ((s.intents & Intent.Guilds) === 0 || !this.hears(s, guildId)) continue;
      this.sendDispatch(s, 'GUILD_CREATE', this.guildCreate(guildId, s.intents));
    }
  }

  private sendDispatch(s: Session, t: string, d: unknown): void {
    s.seq += 1;
    s.dispatched += 1;
    const p: Dispatch = { op: 0, t, s: s.seq, d };
    s.buffer.push(p);
    if (s.buffer.length > REPLAY_BUFFER) s.buffer.splice(0, s.buffer.length - REPLAY_BUFFER);
    if (s.socket) this.send(s.socket, p);
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  private onConnection(ws: WebSocket, host: string | undefined): void {
    const conn: Connection = { ws, session: null, host };
    this.connections.add(conn);
    this.send(ws, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS, _trace: ['["sandbox-gateway"]'] } });
    ws.on('message', (raw) => {
      try {
        this.onMessage(conn, raw);
      } catch (err) {
        this.deps.logger.warn({ err }, 'gateway: message handling failed');
        ws.close(4000, 'Unknown error.');
      }
    });
    ws.on('error', (err) => this.deps.logger.debug({ err }, 'gateway socket error'));
    ws.on('close', (code) => {
      this.connections.delete(conn);
      const s = conn.session;
      // A normal close (1000/1001) ends the session on Discord; anything else stays resumable.
      if (s && s.socket === ws && (code === 1000 || code === 1001)) {
        this.endSession(s);
      } else if (s && s.socket === ws) {
        s.socket = null;
        s.expiry = setTimeout(() => this.endSession(s), RESUME_WINDOW_MS);
        s.expiry.unref();
      }
    });
  }

  private onMessage(conn: Connection, raw: RawData): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
    } catch {
      conn.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    if (payload === null || typeof payload !== 'object') {
      conn.ws.close(4002, 'Error while decoding payload.');
      return;
    }
    const d = (payload.d ?? null) as Record<string, unknown> | null;
    switch (payload.op) {
      case 1:
        this.send(conn.ws, { op: 11 });
        return;
      case 2:
        this.identify(conn, d);
        return;
      case 6:
        this.resume(conn, d);
        return;
      case 8:
        if (!conn.session) return conn.ws.close(4003, 'Not authenticated.');
        this.requestMembers(conn.session, d);
        return;
      case 3:
      case 4:
        if (!conn.session) conn.ws.close(4003, 'Not authenticated.');
        return; // presence / voice updates: accepted, nothing to emulate
      default:
        conn.ws.close(4001, 'Unknown opcode.');
    }
  }

  private checkToken(token: unknown): boolean {
    if (typeof token !== 'string') return false;
    return token.replace(/^Bot\s+/i, '') === this.deps.botToken;
  }

  private identify(conn: Connection, d: Record<string, unknown> | null): void {
    if (conn.session) return conn.ws.close(4005, 'Already authenticated.');
    if (!d || !this.checkToken(d.token)) return conn.ws.close(4004, 'Authentication failed.');
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      return conn.ws.close(4013, 'Invalid intent(s).');
    }
    const shard = parseShard(d.shard);
    if (!shard) return conn.ws.close(4010, 'Invalid shard.');
    const { store } = this.deps;
    const all = [...store.guilds.values()].filter((g) => g.members.has(store.botUserId));
    if (shard[1] === 1 && all.length > this.deps.sharding.maxGuildsPerSession) return conn.ws.close(4011, 'Sharding required.');
    // Discord's identify limit: one session start per bucket per 5 s; too soon is op 9, not resumable.
    // (Tracked only while the limit is on, so turning it on starts every bucket afresh.)
    if (this.deps.sharding.identifyLimit) {
      const bucket = shard[0] % Math.max(1, this.deps.sharding.maxConcurrency);
      const now = Date.now();
      const last = this.lastIdentify.get(bucket);
      if (last !== undefined && now - last < IDENTIFY_WINDOW_MS) {
        this.identifyCounts.refused++;
        this.deps.logger.debug({ shard, bucket, sinceLastMs: now - last }, 'IDENTIFY over the identify limit: invalid session');
        this.send(conn.ws, { op: 9, d: false });
        return;
      }
      if (last !== undefined) this.identifyCounts.minGapMs = Math.min(this.identifyCounts.minGapMs, now - last);
      this.lastIdentify.set(bucket, now);
    } else {
      this.lastIdentify.clear();
    }
    this.identifyCounts.started++;
    const session: Session = { id: newToken(16), intents, shard, dispatched: 0, seq: 0, socket: conn.ws, buffer: [], expiry: null };
    this.sessions.set(session.id, session);
    conn.session = session;
    const bot = store.users.get(store.botUserId);
    const guilds = all.filter((g) => this.hears(session, g.id));
    this.sendDispatch(session, 'READY', {
      v: 10,
      user_settings: {},
      user: { ...(bot ? userJson(bot) : {}), verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.deps.wsUrl(conn.host),
      shard,
      application: { id: store.applicationId, flags: (1 << 12) | (1 << 14) | (1 << 18) | (1 << 19) },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['sandbox'],
      _trace: ['["sandbox-gateway"]'],
    });
    if ((intents & Intent.Guilds) !== 0) {
      for (const g of guilds) this.sendDispatch(session, 'GUILD_CREATE', this.guildCreate(g.id, intents));
    }
    this.notifyReady();
  }

  private notifyReady(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  guildCreate(guildId: string, intents: number): Json {
    const { store } = this.deps;
    const g = store.guilds.get(guildId);
    if (!g) return { id: guildId, unavailable: true };
    const members = [...g.members.values()].filter(
      (m) => (intents & Intent.GuildMembers) !== 0 || m.userId === store.botUserId,
    );
    const bot = g.members.get(store.botUserId);
    return {
      ...guildJson(store, g),
      joined_at: bot?.joinedAt ?? new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: g.members.size,
      voice_states: [],
      members: members.map((m) => memberJson(store, m)),
      channels: store.guildChannels(g.id).map((c) => channelJson(store, c)),
      threads: store
        .threadsOf(g.id)
        .filter((t) => !t.thread?.archived)
        .map((t) => channelJson(store, t)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private resume(conn: Connection, d: Record<string, unknown> | null): void {
    if (conn.session) return conn.ws.close(4005, 'Already authenticated.');
    if (!d || !this.checkToken(d.token)) return conn.ws.close(4004, 'Authentication failed.');
    const s = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    if (!s || seq < 0 || seq > s.seq || (s.buffer.length > 0 && (s.buffer[0]?.s ?? 0) > seq + 1)) {
      // Unknown session or missed dispatches no longer buffered: not resumable.
      this.send(conn.ws, { op: 9, d: false });
      return;
    }
    if (s.socket && s.socket !== conn.ws) s.socket.terminate();
    if (s.expiry) clearTimeout(s.expiry);
    s.expiry = null;
    s.socket = conn.ws;
    conn.session = s;
    for (const p of s.buffer) if (p.s > seq) this.send(conn.ws, p);
    this.sendDispatch(s, 'RESUMED', { _trace: ['["sandbox-gateway"]'] });
    this.notifyReady();
  }

  private requestMembers(s: Session, d: Record<string, unknown> | null): void {
    const { store } = this.deps;
    if (!d) return;
    const guildIds = Array.isArray(d.guild_id) ? d.guild_id : [d.guild_id];
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Number.POSITIVE_INFINITY;
    const userIds = Array.isArray(d.user_ids) ? d.user_ids.map(String) : typeof d.user_ids === 'string' ? [d.user_ids] : null;
    for (const gid of guildIds) {
      const g = typeof gid === 'string' ? store.guilds.get(gid) : undefined;
      if (!g || !this.hears(s, g.id)) continue; // another shard's guild: Discord answers nothing
      let members = [...g.members.values()];
      if (userIds) {
        members = members.filter((m) => userIds.includes(m.userId));
      } else if (query) {
        members = members.filter((m) => {
          const u = store.users.get(m.userId);
          return (u?.username.toLowerCase().startsWith(query) ?? false) || (m.nick?.toLowerCase().startsWith(query) ?? false);
        });
      }
      members = members.slice(0, limit);
      const chunks: (typeof members)[] = [];
      for (let i = 0; i < members.length; i += 1000) chunks.push(members.slice(i, i + 1000));
      if (chunks.length === 0) chunks.push([]);
      chunks.forEach((chunk, i) => {
        const payload: Json = {
          guild_id: g.id,
          members: chunk.map((m) => memberJson(store, m)),
          chunk_index: i,
          chunk_count: chunks.length,
        };
        if (userIds) {
          const found = new Set(members.map((m) => m.userId));
          const missing = userIds.filter((id) => !found.has(id));
          if (missing.length > 0) payload.not_found = missing;
        }
        if (d.presences === true) payload.presences = [];
        if (typeof d.nonce === 'string') payload.nonce = d.nonce;
        this.sendDispatch(s, 'GUILD_MEMBERS_CHUNK', payload);
      });
    }
  }
}
