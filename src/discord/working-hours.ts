/** Working hours of a ticket group: a week schedule in the group's time zone. */
import type { WeekSchedule } from '../db/schema.js';
import { t } from '../i18n/catalogue.js';
import type { Locale } from '../i18n/locales.js';

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

/**
 * The week's hours for people: weekday names in `locale` (from Intl, so no catalogue entry per day),
 * ranges as HH:MM–HH:MM, and the time zone they are in.
 */
export function describeSchedule(schedule: WeekSchedule, timeZone: string | null, locale: Locale = 'en'): string {
  // 2024-01-01 was a Monday: the short weekday name of each day in the member's language.
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const order = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'];
  const name = (d: string) => (order.includes(d) ? weekday.format(new Date(Date.UTC(2024, 0, 1 + order.indexOf(d)))) : d);
  const days = Object.entries(schedule).filter(([, r]) => r && r.length > 0)
    .map(([d, r]) => `${name(d)} ${(r ?? []).map(([a, b]) => `${a}–${b}`).join(', ')}`);
  return `${days.join('; ') || t(locale, 'error.noWorkingHours')} (${timeZone ?? 'UTC'})`;
}
