/**
 * The period a FHIR date, dateTime or instant covers, given its precision (FHIR search 3.1.1.4.7):
 * '2020' covers the whole year, '2020-03' the month, '2020-03-04T10:15' the minute. Both the index
 * (what a resource's value covers) and the query (what a search value covers) use this, so both
 * sides of every comparison are ranges built the same way.
 *
 * A dateTime without a time zone is read as UTC (FHIR requires a zone once there is a time; the
 * server has to pick something for the ones that arrive without).
 */

export interface DateRange {
  /** First instant covered, ISO 8601 in UTC with milliseconds. */
  low: string;
  /** Last instant covered (inclusive), ISO 8601 in UTC with milliseconds. */
  high: string;
}

/** Unbounded ends (a Period without start or end), as PostgreSQL timestamptz understands them. */
export const UNBOUNDED_LOW = '-infinity';
export const UNBOUNDED_HIGH = 'infinity';

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The range `text` covers, or undefined when it is not a FHIR date/dateTime/instant. */
export function dateRange(text: string): DateRange | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month!))) return undefined;
  if (m[4] === undefined) {
    // Date precision: whole year, month or day; the zone is irrelevant at this precision.
    const low = utc(year, (month ?? 1) - 1, day ?? 1);
    const high =
      day !== undefined ? utc(year, month! - 1, day + 1) : month !== undefined ? utc(year, month, 1) : utc(year + 1, 0, 1);
    return { low: iso(low), high: iso(high - 1) };
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? undefined : Number(m[6]);
  if (hour > 23 || minute > 59 || (second !== undefined && second > 59)) return undefined;
  const offsetMinutes = zoneOffsetMinutes(m[8]);
  if (offsetMinutes === undefined) return undefined;
  const fraction = m[7];
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const low = utc(year, month! - 1, day!, hour, minute, second ?? 0, millis) - offsetMinutes * 60_000;
  // The unit of the last digit written: a minute, a second, or 100/10/1 ms of a fraction.
  const unit = second === undefined ? 60_000 : fraction === undefined ? 1000 : 10 ** Math.max(0, 3 - fraction.length);
  return { low: iso(low), high: iso(low + unit - 1) };
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 1) - 1).getUTCDate();
}

/** Date.UTC, but without its "years 0-99 mean 1900-1999" rule. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(Date.UTC(2000, month, day, hour, minute, second, ms));
  d.setUTCFullYear(year + d.getUTCFullYear() - 2000);
  return d.getTime();
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
