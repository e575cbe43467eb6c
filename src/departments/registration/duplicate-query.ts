/**
 * The duplicate check's query string, as the desk sends it while the clerk types: every field may be
 * missing or half-typed. A half-typed date or phone is left out of the match rather than refused, so
 * the list keeps up with the typing; the registration itself checks the fields properly.
 */
import { badRequest } from '../../fhir/outcome.js';
import { dateBefore, isCalendarDate, MAX_AGE_YEARS, todayInIndia } from './desk-dates.js';
import { parseIndianMobile } from './indian-phone.js';
import type { MatchPerson } from './match-score.js';

export function readDuplicateQuery(q: Record<string, string | undefined>, today: string = todayInIndia()): MatchPerson {
  const query: MatchPerson = {};
  const name = q.name?.trim();
  if (name) {
    if (name.length > 200) throw badRequest('name is at most 200 characters', 'name');
    query.name = name;
  }
  if (q.birthDate && isCalendarDate(q.birthDate)) query.birthDate = q.birthDate;
  else if (q.ageYears) {
    const years = Number(q.ageYears);
    if (Number.isInteger(years) && years >= 0 && years <= MAX_AGE_YEARS) {
      query.birthDate = dateBefore(today, years, Number(q.ageMonths) || 0);
      query.birthDateEstimated = true;
    }
  }
  if (q.phone) {
    const parsed = parseIndianMobile(q.phone);
    if ('phone' in parsed) query.phone = parsed.phone;
  }
  if (q.sex === 'male' || q.sex === 'female' || q.sex === 'other' || q.sex === 'unknown') query.sex = q.sex;
  return query;
}
