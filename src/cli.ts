#!/usr/bin/env -S node --max-semi-space-size=64
/** The one command: `ticketbridge serve|stdio|migrate|token|sandbox`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { DataDirLockedError } from './db/pglite-lock.js';
import { isEngineError } from './engine/errors.js';

const USAGE = `Usage: ticketbridge [command] [options]

Commands:
  serve                 Run the HTTP server (REST APIs, MCP at /mcp) and the Discord bot (default)
  stdio                 Run the MCP server over stdin/stdout, with the Discord bot (or the built-in
                        sandbox), outbox, schedulers and webhooks; HTTP only with --port/PORT
  migrate               Apply database migrations and exit
  token create --user ID [--guild ID ...] --ability NAME [--ability NAME ...] [--name TEXT]
                        Create an API token (printed once)
  token list            List API tokens (never their secrets)
  token revoke ID       Revoke an API token
  sandbox [--port N]    Serve the local Discord sandbox alone
  help                  Show this help

Options (also settable as environment variables):
  --database-url URL    DATABASE_URL: PostgreSQL; without it an embedded PGlite database in DATA_DIR
  --data-dir DIR        DATA_DIR (default ./data)
  --host HOST           HOST (default 127.0.0.1)
  --port N              PORT (default 8787)
  --log-level LEVEL     LOG_LEVEL (default info)
  --toolsets a,b        MCP toolsets to expose (stdio)
  --tools x,y           MCP tools to expose (stdio)
  --read-only           Expose only read-only MCP tools (stdio)
  --no-discord          stdio: serve MCP only; another process on the same PostgreSQL drives Discord
`;

class UsageError extends Error {}

const common = {
  'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, host: { type: 'string' }, port: { type: 'string' },
  'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals = 0) {
  try {
    const result = parseArgs({ args, options: { ...common, ...options }, strict: true, allowPositionals: positionals > 0 });
    if (result.positionals.length > positionals) throw new UsageError(`unexpected argument "${result.positionals[positionals]}"`);
    return result;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}

function configFrom(values: Record<string, unknown>): Config {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  return loadConfig(process.env, {
    DATABASE_URL: str('database-url'), DATA_DIR: str('data-dir'), HOST: str('host'), PORT: str('port'), LOG_LEVEL: str('log-level'),
    TOOLSETS: str('toolsets'), TOOLS: str('tools'), READ_ONLY: values['read-only'] === true ? 'true' : undefined,
  });
}

const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first === undefined || first.startsWith('-') ? 'serve' : first;
  const args = first === undefined || first.startsWith('-') ? argv : rest;

  switch (command) {
    case 'help': process.stdout.write(USAGE); return 0;
    case 'serve': {
      const { values } = parse(args, {});
      if (values.help) { process.stdout.write(USAGE); return 0; }
      const config = configFrom(values);
      const logger = createLogger(config.LOG_LEVEL);
      const { startApp } = await import('./app.js');
      const app = await startApp(config, logger);
      process.stderr.write(`ticketbridge listening on ${app.url}\n${app.discordWhere}\n`);
      await untilSignal();
      return stopQuickly(app, logger);
    }
    case 'stdio': {
      const { values } = parse(args, {
        toolsets: { type: 'string' }, tools: { type: 'string' }, 'read-only': { type: 'boolean' }, 'no-discord': { type: 'boolean' },
      });
      if (values.help) { process.stdout.write(USAGE); return 0; }
      const config = configFrom(values);
      const logger = createLogger(config.LOG_LEVEL);
      const { startApp } = await import('./app.js');
      const { runStdio } = await import('./mcp/stdio.js');
      // stdout carries MCP only: every line for the user goes to stderr.
      const app = await startApp(config, logger, {
        command: 'stdio', discord: values['no-discord'] !== true, http: values.port !== undefined || Boolean(process.env['PORT']), lockWaitMs: 5_000,
      });
      process.stderr.write(`ticketbridge stdio: MCP on stdin/stdout; ${app.discordWhere}${app.url ? `; HTTP on ${app.url}` : ''}\n`);
      try {
        await runStdio(app.deps, { toolsets: list(config.TOOLSETS), tools: list(config.TOOLS), readOnly: config.READ_ONLY });
      } finally {
        // The client went away (stdin closed) or a signal came: let go of the data directory at once.
        await stopQuickly(app, logger);
      }
      return 0;
    }
    case 'migrate': {
      const { values } = parse(args, {});
      const config = configFrom(values);
      const { openEngine } = await import('./app.js');
      const { database } = await openEngine(config, 'migrate');
      await database.close();
      process.stderr.write(`migrations applied (${database.kind})\n`);
      return 0;
    }
    case 'token': return tokenCommand(args);
    case 'sandbox': {
      const { values } = parse(args, {});
      const config = configFrom(values);
      const logger = createLogger(config.LOG_LEVEL);
      const { startSandbox } = await import('./sandbox/index.js');
      const sandbox = await startSandbox({ port: values.port ? config.PORT : 8788, host: config.HOST, logger });
      process.stderr.write(`Discord sandbox listening on ${sandbox.url} (REST ${sandbox.apiUrl}/v10, bot token ${sandbox.botToken})\n`);
      await untilSignal();
      await sandbox.close();
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function tokenCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const opts = { user: { type: 'string' }, guild: { type: 'string', multiple: true }, ability: { type: 'string', multiple: true }, name: { type: 'string' } } as const;
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(`token needs create, list or revoke${sub ? ` (got "${sub}")` : ''}`);
  const { values, positionals } = parse(rest, sub === 'create' ? opts : {}, sub === 'revoke' ? 1 : 0);
  const config = configFrom(values);
  const v = values as { user?: string; guild?: string[]; ability?: string[]; name?: string };
  if (sub === 'create' && !v.ability?.length) throw new UsageError('token create needs at least one --ability (e.g. --ability tickets:read --ability tickets:write, or --ability "*")');
  if (sub === 'revoke' && !positionals[0]) throw new UsageError('token revoke needs the token ID (see "ticketbridge token list")');
  const { openEngine } = await import('./app.js');
  const { database, engine } = await openEngine(config, `token ${sub}`);
  try {
    if (sub === 'create') {
      const { token, info } = await engine.tokens.create({ name: v.name, user_id: v.user ?? null, guild_ids: v.guild?.length ? v.guild : null, abilities: v.ability ?? [] });
      process.stderr.write(`created token ${info.id} (shown once; store it now)\n`);
      process.stdout.write(`${token}\n`);
    } else if (sub === 'list') {
      process.stdout.write(`${JSON.stringify(await engine.tokens.list(), null, 2)}\n`);
    } else {
      const info = await engine.tokens.revoke(positionals[0]!);
      process.stderr.write(`revoked token ${info.id}\n`);
    }
  } finally { await database.close(); }
  return 0;
}

/** A stop must not hang: past this, the process exits anyway (jobs it held are taken over by lease). */
const STOP_DEADLINE_MS = 4_500;

/**
 * Closes the app within STOP_DEADLINE_MS; a second signal exits at once. Once closed, a handle some
 * library forgot to release cannot keep the process alive either.
 */
async function stopQuickly(app: { close(): Promise<void> }, logger: Logger): Promise<number> {
  const started = Date.now();
  // Plain stderr writes here (synchronous on pipes): pino's buffered lines would be lost to exit().
  const now = () => { process.stderr.write('ticketbridge: second signal: exiting without finishing the stop\n'); process.exit(130); };
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  const deadline = setTimeout(() => {
    process.stderr.write(`ticketbridge: the stop did not finish in ${Date.now() - started} ms; exiting anyway\n`);
    process.exit(1);
  }, STOP_DEADLINE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
  }
  logger.info({ ms: Date.now() - started }, 'stopped');
  logger.flush();
  // Everything is closed; a socket or timer some library still holds must not keep the process (and,
  // for stdio, its client) waiting.
  setTimeout(() => process.exit(process.exitCode ?? 0), 50).unref();
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolveSignal) => {
    const done = () => resolveSignal();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`ticketbridge: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    process.stderr.write(`ticketbridge: ${err.message}\n`);
    process.exitCode = 2;
  } else if (isEngineError(err)) {
    process.stderr.write(`ticketbridge: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`ticketbridge: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
});

