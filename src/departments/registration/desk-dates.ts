/**
 * Dates at the desk: "today" is the hospital's day (India Standard Time, UTC+05:30, no daylight
 * saving), so a child born this morning in Delhi is not "born in the future" before 05:30 UTC.
 */
const IST_OFFSET_MS = 330 * 60_000;

export const MAX_AGE_YEARS = 130;

/** Today's date in India as YYYY-MM-DD. */
export function todayInIndia(now: Date = new Date()): string {
  return new Date(now.getTime() + IST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The date `years` and `months` before `today` (YYYY-MM-DD); the 31st becomes the month's last day. */
export function dateBefore(today: string, years: number, months = 0): string {
  const [y, m, d] = today.split('-').map(Number);
  const totalMonths = y * 12 + (m - 1) - years * 12 - months;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === text;
}

/** Whole years from `birthDate` to `today` (both YYYY-MM-DD). */
export function ageInYears(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
