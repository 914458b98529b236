/**
 * Real `ticketbridge serve` processes (dist/cli.js, so run `npm run build` first) on one PostgreSQL
 * database against a standalone sandbox: what the multi-process tests and the scale-out drill start,
 * read /healthz from, and kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface ServeProcess { child: ChildProcess; url: string; name: string; stderr: () => string }

export interface HeldShards { process_id: string; count: number; held: Array<{ id: number; epoch: number; ready: boolean }> }

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export function serveProcess(sandbox: Pick<Sandbox, 'botToken' | 'apiUrl'>, databaseUrl: string, name: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env, DATABASE_URL: databaseUrl, DISCORD_TOKEN: sandbox.botToken, DISCORD_API_URL: sandbox.apiUrl,
      PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-serve-')), LOG_LEVEL: 'warn', TICKETBRIDGE_ADMIN_TOKEN: 'test-admin-token-0123456789',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((resolvePromise, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.length > 200_000) err = err.slice(-100_000);
      const m = /ticketbridge listening on (\S+)/.exec(err);
      if (m) resolvePromise({ child, url: m[1]!, name, stderr: () => err });
    });
    child.once('exit', (code, signal) => reject(new Error(`serve ${name} exited (${code ?? signal}): ${err}`)));
  });
}

/** The shards a process says it holds (GET /healthz); null when it does not answer. */
export async function heldShards(p: ServeProcess): Promise<HeldShards | null> {
  try {
    const res = await fetch(`${p.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = await res.json() as { discord?: { shards?: HeldShards } };
    return body.discord?.shards ?? null;
  } catch {
    return null;
  }
}

export function stopProcess(c: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (c.exitCode !== null || c.signalCode) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
  });
}

/** Polls until `check` returns a value (not undefined), or throws after timeoutMs. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
