/**
 * Webhook URLs are set by guild admins, so by default deliveries may not reach loopback, private,
 * link-local or other internal addresses (the server's own network). Checked on the address actually
 * connected to (the connection's DNS lookup), so a name that resolves inward is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';

const internal = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) internal.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) internal.addSubnet(net, bits, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return internal.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? internal.check(mapped[1]!, 'ipv4') : internal.check(address, 'ipv6');
}

export class InternalAddressError extends Error {
  override name = 'InternalAddressError';
  constructor(host: string, address: string) {
    super(`${host} is an internal address (${address}); webhooks may only reach public addresses (TICKETBRIDGE_WEBHOOK_ALLOW_INTERNAL=true allows others)`);
  }
}

/** The host of a URL without IPv6 brackets. */
const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/** Refuses an IP-literal URL pointing inward before any connection is made. */
export function checkLiteralHost(url: string): void {
  const host = bare(new URL(url).hostname);
  if (isIP(host) && isInternalAddress(host)) throw new InternalAddressError(host, host);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** An undici dispatcher whose connections refuse internal addresses. */
export function publicOnlyAgent(): Agent {
  const guarded = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) { callback(err, ''); return; }
      const bad = addresses.find((a) => isInternalAddress(a.address));
      if (bad) { callback(new InternalAddressError(hostname, bad.address), ''); return; }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return new Agent({ connect: { lookup: guarded as never } });
}
