/**
 * `npm run bench`: runs every benchmark module in this folder (each exports `run…Bench()`), prints
 * each result as JSON to stdout and writes them all to tools/bench/results.json.
 *   npm run bench [-- name …]   only the modules whose file name contains one of the names
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const skip = new Set(['run.ts', 'stats-util.ts']);
const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !skip.has(f) && !f.endsWith('.d.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();

const results: Record<string, unknown> = {};
for (const file of files) {
  const mod = await import(pathToFileURL(join(here, file)).href) as Record<string, unknown>;
  for (const [name, fn] of Object.entries(mod)) {
    if (!/^run\w*Bench$/.test(name) || typeof fn !== 'function') continue;
    process.stderr.write(`\n=== ${file}: ${name} ===\n`);
    const started = Date.now();
    try {
      const result = await (fn as () => Promise<unknown>)();
      results[`${file}:${name}`] = result;
      process.stdout.write(`${JSON.stringify({ bench: `${file}:${name}`, seconds: Math.round((Date.now() - started) / 1000), result }, null, 2)}\n`);
    } catch (err) {
      results[`${file}:${name}`] = { error: String((err as Error)?.message ?? err) };
      process.stderr.write(`${name} failed: ${String((err as Error)?.stack ?? err)}\n`);
      process.exitCode = 1;
    }
  }
}
writeFileSync(join(here, 'results.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
