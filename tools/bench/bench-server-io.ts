/**
 * How a bench server child talks to its bench (mcp-modern-http.ts): {"port": N} on stdout once
 * listening, then each "cpu" line on stdin answered with {"cpu": µs} (the process's user + system
 * CPU time so far), so the bench can report CPU per request, which other load disturbs far less
 * than rates.
 */
import type { AddressInfo } from 'node:net';

export function announce(address: AddressInfo | string | null): void {
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line.trim() !== 'cpu') continue;
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpu: user + system })}\n`);
    }
  });
  // A clean exit on SIGINT, so `--cpu-prof` can write its profile.
  process.once('SIGINT', () => process.exit(0));
}
