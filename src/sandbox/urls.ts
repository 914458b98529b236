// The gateway URL handed to clients: on the host name the client used (so the sandbox also works
// behind port mappings), else on the address the sandbox listens on.
const HOST = /^[\w.\-:[\]]+$/;

export function gatewayUrl(baseUrl: string, host?: string): string {
  if (host && HOST.test(host)) return `ws://${host}/gateway`;
  return `${baseUrl.replace(/^http/, 'ws')}/gateway`;
}
