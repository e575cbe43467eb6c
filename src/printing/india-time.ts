/** Dates and times as printed on Indian slips and labels: day first, India Standard Time (UTC+05:30, no DST). */
const IST_OFFSET_MS = 330 * 60_000;

function ist(when: Date | string): Date {
  const date = typeof when === 'string' ? new Date(when) : when;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date and time: "${String(when)}"`);
  return new Date(date.getTime() + IST_OFFSET_MS);
}

/** `27-11-2026 14:05 IST` */
export function indiaDateTime(when: Date | string): string {
  const s = ist(when).toISOString();
  return `${s.slice(8, 10)}-${s.slice(5, 7)}-${s.slice(0, 4)} ${s.slice(11, 16)} IST`;
}

/** `27-11-2026` for a YYYY-MM-DD date (a birth date has no time zone). */
export function indiaDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  const partial = /^(\d{4})(?:-(\d{2}))?$/.exec(date);
  return partial ? (partial[2] ? `${partial[2]}-${partial[1]}` : partial[1]) : date;
}

/** The date in India of an instant, YYYY-MM-DD. */
export function indiaDay(when: Date | string): string {
  return ist(when).toISOString().slice(0, 10);
}
