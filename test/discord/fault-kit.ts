/** Shared by the fault test, the process tests and the 30-second drill: arm faults, count the outcome. */
import type { Sandbox } from '../../src/sandbox/index.js';

export const WINDOW_MS = Number(process.env['FAULT_WINDOW_MS'] ?? 3_000);

export function armFaults(sandbox: Sandbox): void {
  sandbox.addFault({ status: 429, global: true, retry_after: 0.2, count: 20 });
  sandbox.addFault({ route: '/guilds/:guild_id/channels', method: 'POST', status: 503, count: 1_000_000 });
  sandbox.addFault({ route: '/channels/:channel_id/messages', method: 'POST', status: 429, retry_after: 0.3, count: 1_000_000 });
  sandbox.addFault({ route: '/channels/:channel_id', method: 'PATCH', status: 502, count: 1_000_000 });
}

/** Per ticket: how many channels carry its name and how many opening messages it got. */
export function tally(h: { sandbox: Sandbox }, tickets: Array<{ number: number; channel_id: string | null }>) {
  const s = h.sandbox.state();
  const channels = s.channels as unknown as Array<{ id: string; name: string }>;
  const messages = s.messages as unknown as Array<{ channel_id: string; components?: Array<{ components?: Array<{ custom_id?: string }> }> }>;
  return tickets.map((t) => {
    const name = `ticket-${String(t.number).padStart(4, '0')}`;
    const openings = messages.filter((m) => m.channel_id === t.channel_id && (m.components ?? []).some((r) => (r.components ?? []).some((c) => c.custom_id?.startsWith('tb:claim:'))));
    return { number: t.number, channels: channels.filter((c) => c.name === name).length, openings: openings.length, linked: t.channel_id !== null };
  });
}

