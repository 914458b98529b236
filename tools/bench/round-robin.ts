/**
 * A small round-robin HTTP load balancer for the drills and benchmarks (what HAProxy would do in
 * front of several `serve` processes): each request goes to the next backend; a backend that
 * refuses the connection is skipped. Hand-written: a few lines, and no HAProxy on every machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export function roundRobin(backends: () => string[]): http.Server {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const list = backends();
      const attempt = (tries: number) => {
        const url = new URL(list[next++ % list.length]!);
        const up = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => { if (tries + 1 < list.length) attempt(tries + 1); else { res.writeHead(502); res.end(); } });
        up.end(body);
      };
      attempt(0);
    });
  });
}

export const listen = (s: http.Server) => new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
