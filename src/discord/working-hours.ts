/** Working hours of a ticket group: a week schedule in the group's time zone. */
import type { WeekSchedule } from '../db/schema.js';

const DAYS = ['su', 'mo', 'tu', 'we', 'th', 'fr', 'sa'] as const;
const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m ?? 0);
};

/** true when there is no schedule, or `now` falls in one of today's ranges in `timeZone`. */
export function withinWorkingHours(schedule: WeekSchedule | null, timeZone: string | null, now: Date): boolean {
  if (!schedule) return true;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timeZone ?? 'UTC', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS[['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'))];
  if (!day) return true;
  const at = Number(get('hour')) * 60 + Number(get('minute'));
  return (schedule[day] ?? []).some(([from, to]) => at >= minutes(from) && at < minutes(to));
}

export function describeSchedule(schedule: WeekSchedule, timeZone: string | null): string {
  const names: Record<string, string> = { mo: 'Mon', tu: 'Tue', we: 'Wed', th: 'Thu', fr: 'Fri', sa: 'Sat', su: 'Sun' };
  const days = Object.entries(schedule).filter(([, r]) => r && r.length > 0)
    .map(([d, r]) => `${names[d] ?? d} ${(r ?? []).map(([a, b]) => `${a}–${b}`).join(', ')}`);
  return `${days.join('; ') || 'no opening hours'} (${timeZone ?? 'UTC'})`;
}
