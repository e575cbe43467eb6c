/**
 * OPD clock: the hospital's day and hours are India Standard Time (UTC+05:30, no daylight saving).
 * Slots are stored as instants with the +05:30 offset, so a desk reads "09:00" as the OPD opens.
 */
const IST_OFFSET_MS = 330 * 60_000;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The date in India (YYYY-MM-DD) of an instant. */
export function indiaDate(instant: Date | string = new Date()): string {
  return new Date(new Date(instant).getTime() + IST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of a wall-clock time in India: `2026-11-27`, `09:00` → 2026-11-27T09:00:00+05:30. */
export function indiaInstant(date: string, time: string): string {
  return `${date}T${time.length === 5 ? `${time}:00` : time}+05:30`;
}

/** Milliseconds since the epoch of a wall-clock time in India. */
export function indiaMillis(date: string, minutes: number): number {
  return Date.parse(`${date}T00:00:00Z`) - IST_OFFSET_MS + minutes * 60_000;
}

/** An instant written in India time with the offset, e.g. 2026-11-27T09:10:00+05:30. */
export function formatIndia(millis: number): string {
  return `${new Date(millis + IST_OFFSET_MS).toISOString().slice(0, 19)}+05:30`;
}

/** yyyymmddhhmm in India time, for deterministic slot ids. */
export function compactIndia(millis: number): string {
  return new Date(millis + IST_OFFSET_MS).toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
}

/** Every date from `from` to `to`, both included. */
export function datesFrom(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) dates.push(new Date(t).toISOString().slice(0, 10));
  return dates;
}

/** The day's bounds in India as instants, for date searches. */
export function dayBounds(date: string): { start: string; end: string } {
  return { start: formatIndia(indiaMillis(date, 0)), end: formatIndia(indiaMillis(date, 24 * 60)) };
}

/** "09:30" → 570; undefined when not a time of day. */
export function minutesOf(time: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::00)?$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === text;
}
