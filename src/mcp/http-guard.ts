/**
 * DNS-rebinding protection for /mcp: the Host must be a name this server answers to (loopback, the
 * configured HOST, or TICKETBRIDGE_ALLOWED_HOSTS), and a browser's Origin must be one of those too.
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);


export interface HostGuard { check(host: string | undefined, origin: string | undefined): string | undefined }

/** Host header → hostname without port ("example.com:8787" → "example.com", "[::1]:80" → "[::1]"). */
function hostname(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function createHostGuard(configHost: string, extraHosts: readonly string[] = []): HostGuard {
  const allowed = new Set(LOOPBACK);
  const configured = configHost.trim().toLowerCase();
  if (configured && !WILDCARD.has(configured)) allowed.add(configured.includes(':') && !configured.startsWith('[') ? `[${configured}]` : configured);
  for (const h of extraHosts) allowed.add(hostname(h));
  return {
    check(host, origin) {
      if (!host || !allowed.has(hostname(host))) return `Host "${host ?? ''}" is not one this server answers to. Connect through localhost, or add the name to TICKETBRIDGE_ALLOWED_HOSTS.`;
      if (origin !== undefined && origin !== 'null') {
        let url: URL | undefined;
        try { url = new URL(origin); } catch { url = undefined; }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !allowed.has(url.hostname.toLowerCase())) {
          return `Origin "${origin}" may not call this server. Browser pages from other sites are refused (DNS-rebinding protection).`;
        }
      } else if (origin === 'null') return 'Origin "null" may not call this server.';
      return undefined;
    },
  };
}
