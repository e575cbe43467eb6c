/**
 * R4 requires dates to be real calendar dates ("SHALL be valid dates"), but its regular
 * expressions, which @medplum/core applies, accept any day 01-31 in any month: 2021-02-30 and
 * 2023-04-31 pass them. A wrong birth date or admission date in a hospital record is the kind of
 * error worth stopping at the door.
 */
import { issue, type OperationOutcomeIssue } from '../outcome.js';

const YEAR_MONTH_DAY = /^(\d{4})-(\d{2})-(\d{2})/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Appends an issue when `value` has a day that its month does not have. Malformed values are the format check's business. */
export function checkCalendarDate(value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (typeof value !== 'string') return;
  const match = YEAR_MONTH_DAY.exec(value);
  if (!match) return; // a year or year-month, or malformed
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12) return;
  const days = daysInMonth(year, month);
  if (day <= days) return;
  const text = `${path}: '${value}' is not a calendar date (${MONTHS[month - 1]} ${match[1]} has ${days} days)`;
  issues.push(issue('value', text, path));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
