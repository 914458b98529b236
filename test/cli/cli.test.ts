/** The built CLI as a user runs it: usage errors, config errors, a fresh start, tokens, the PGlite lock. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clonePglite, clonePostgres, postgresAvailable } from '../support/databases.js';

/** A migrated data directory (a copy of the test template: no initdb per test). */
const freshDataDir = async () => (await clonePglite()).dataDir!;

const cli = resolve('dist/cli.js');
const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...extra };
  for (const key of ['DATABASE_URL', 'TICKETBRIDGE_ADMIN_TOKEN', 'DISCORD_TOKEN', 'TICKETBRIDGE_TOKEN', 'PORT', 'DATA_DIR']) if (!(key in extra)) delete env[key];
  return env;
};
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], { env: baseEnv(env), encoding: 'utf8', timeout: 60_000 });

/** Starts `serve` and resolves once it prints its address. */
function serve(dataDir: string, extra: Record<string, string> = {}): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], { env: baseEnv(extra) });
  let err = '';
  return new Promise((res, rej) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) res({ child, url: m[1], stderr: () => err });
    });
    child.on('exit', (code) => rej(new Error(`serve exited with ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('ticketbridge CLI', () => {
  it('prints usage and exits 2 on an unknown command or flag', () => {
    const bad = run(['frobnicate']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
    expect(bad.stderr).toMatch(/Usage: ticketbridge/);
    const flag = run(['serve', '--no-such-flag']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/no-such-flag/);
    expect(run(['token', 'explode']).status).toBe(2);
    expect(run(['help']).stdout).toMatch(/token create/);
  });

  it('names the bad setting in one line', () => {
    const r = run(['migrate'], { PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^ticketbridge: Invalid setting PORT: .*"eighty"/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const db = run(['migrate'], { DATABASE_URL: 'mysql://nope' });
    expect(db.stderr).toMatch(/Invalid setting DATABASE_URL/);
    expect(db.stderr).not.toMatch(/mysql:\/\/nope/); // connection strings may hold secrets
    const lease = run(['migrate'], { TICKETBRIDGE_SHARD_LEASE_MS: '5000', TICKETBRIDGE_SHARD_RENEW_MS: '2000' });
    expect(lease.status).toBe(2);
    expect(lease.stderr.trim()).toMatch(/^ticketbridge: Invalid setting TICKETBRIDGE_SHARD_LEASE_MS: must be at least 3 × TICKETBRIDGE_SHARD_RENEW_MS \(2000\)/);
  });

  describe('on a fresh data directory', () => {
    let dataDir: string;
    let server: Awaited<ReturnType<typeof serve>>;
    beforeAll(async () => { dataDir = await freshDataDir(); server = await serve(dataDir); }, 90_000);
    afterAll(async () => { await stop(server.child); rmSync(dataDir, { recursive: true, force: true }); });

    it('serves /healthz with the embedded database', async () => {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      const body = await res.json() as Record<string, unknown>;
      expect(body).toMatchObject({ status: 'ok', database: { kind: 'pglite', ok: true } });
      expect(body['discord']).toHaveProperty('mode');
      // With PGlite this one process runs every gateway shard (the sandbox recommends one).
      expect(body['discord']).toMatchObject({ ready: true, shards: { count: 1, held: [{ id: 0, ready: true }] } });
    });

    it('created an admin token once: printed to stderr, saved with mode 0600, stored only as a hash', () => {
      const file = join(dataDir, 'admin-token');
      const token = readFileSync(file, 'utf8').trim();
      expect(token).toMatch(/^tb_/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(server.stderr()).toContain(token);
    });

    it('refuses a second process on the same PGlite directory, naming the running server', () => {
      const r = run(['token', 'list', '--data-dir', dataDir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/in use by "ticketbridge serve" \(pid \d+/);
      expect(r.stderr).toMatch(/DATABASE_URL/);
    });
  });

  it('creates, lists and revokes tokens, and a restart does not print a new admin token', async () => {
    const dataDir = await freshDataDir();
    try {
      const created = run(['token', 'create', '--data-dir', dataDir, '--user', '849383430663776372', '--guild', '919722116696391721', '--ability', 'tickets:read', '--name', 'reader']);
      expect(created.status, created.stderr).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(/^tb_[A-Za-z0-9_-]{20,}$/);
      const listed = run(['token', 'list', '--data-dir', dataDir]);
      const tokens = JSON.parse(listed.stdout) as Array<{ id: string; name: string; guild_ids: string[]; abilities: string[] }>;
      const reader = tokens.find((t) => t.name === 'reader');
      expect(reader).toMatchObject({ guild_ids: ['919722116696391721'], abilities: ['tickets:read'] });
      expect(listed.stdout).not.toContain(token);
      expect(run(['token', 'revoke', '--data-dir', dataDir, reader!.id]).status).toBe(0);
      expect(JSON.parse(run(['token', 'list', '--data-dir', dataDir]).stdout).find((t: { id: string }) => t.id === reader!.id).revoked_at).not.toBeNull();
      const noAbility = run(['token', 'create', '--data-dir', dataDir, '--user', '849383430663776372']);
      expect(noAbility.status).toBe(2);
      expect(noAbility.stderr).toMatch(/--ability/);

      const first = await serve(dataDir);
      await stop(first.child);
      const second = await serve(dataDir);
      await stop(second.child);
      expect(first.stderr()).toMatch(/created an admin API token/);
      expect(second.stderr()).not.toMatch(/created an admin API token/);
    } finally { rmSync(dataDir, { recursive: true, force: true }); }
  }, 240_000);

  it('with TICKETBRIDGE_ADMIN_TOKEN set, creates no admin token file', async () => {
    const dataDir = await freshDataDir();
    try {
      const s = await serve(dataDir, { TICKETBRIDGE_ADMIN_TOKEN: 'a-very-long-admin-token-for-tests' });
      await stop(s.child);
      expect(() => statSync(join(dataDir, 'admin-token'))).toThrow();
      expect(s.stderr()).not.toContain('a-very-long-admin-token-for-tests');
    } finally { rmSync(dataDir, { recursive: true, force: true }); }
  }, 120_000);

  it.skipIf(!postgresAvailable())('with PostgreSQL, runs token commands while the server runs', async () => {
    const pg = await clonePostgres();
    const dataDir = await freshDataDir();
    try {
      const s = await serve(dataDir, { DATABASE_URL: pg.url! });
      try {
        const health = await (await fetch(`${s.url}/healthz`)).json() as { database: { kind: string } };
        expect(health.database.kind).toBe('postgres');
        const [a, b] = await Promise.all([
          new Promise<number | null>((r) => spawn(process.execPath, [cli, 'token', 'create', '--ability', 'tickets:read'], { env: baseEnv({ DATABASE_URL: pg.url! }) }).on('exit', r)),
          new Promise<number | null>((r) => spawn(process.execPath, [cli, 'migrate'], { env: baseEnv({ DATABASE_URL: pg.url! }) }).on('exit', r)),
        ]);
        expect([a, b]).toEqual([0, 0]);
      } finally { await stop(s.child); }
    } finally { await pg.drop(); rmSync(dataDir, { recursive: true, force: true }); }
  }, 120_000);

  it('serves the Discord sandbox alone with `sandbox --port`', async () => {
    const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0'], { env: baseEnv() });
    try {
      const url = await new Promise<string>((res, rej) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /sandbox listening on (http:\/\/\S+)/.exec(err);
          if (m?.[1]) res(m[1]);
        });
        child.on('exit', (code) => rej(new Error(`sandbox exited with ${code}: ${err}`)));
      });
      const info = await (await fetch(`${url}/_sandbox`)).json() as { bot_token: string };
      const gateway = await fetch(`${url}/api/v10/gateway/bot`, { headers: { authorization: `Bot ${info.bot_token}` } });
      expect(gateway.status).toBe(200);
      expect(await gateway.json()).toMatchObject({ shards: 1 });
      expect((await fetch(`${url}/api/v10/guilds/919722116696391721`)).status).toBe(401);
    } finally { await stop(child as ChildProcessWithoutNullStreams); }
  }, 60_000);
});
