/**
 * Is a department's OPD open on a date? Not on a hospital holiday; otherwise when one of its doctors
 * holds OPD that weekday and is not on leave: an active Schedule of the department, or the OPD days
 * of a PractitionerRole in it (the seed's "unit days").
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import { blockedBy, closuresOf, holidayOn } from './closures.js';
import { weekdayOf } from './india-time.js';
import { departmentOrg, refId } from './opd-codes.js';
import { mustExist, searchAll } from './opd-store.js';
import { hoursOf } from './schedules.js';

/** 409 with the reason when the department's OPD is closed on `date`; its Organization otherwise. */
export async function requireOpen(repo: FhirRepository, ctx: RequestContext, department: string, date: string, field = 'department'): Promise<FhirResource> {
  const org = (await mustExist(repo, ctx, 'Organization', departmentOrg(department), field)).resource;
  const name = String(org.name ?? department);
  const closures = await closuresOf(repo, ctx);
  const holiday = holidayOn(closures, date);
  if (holiday) throw new FhirError(409, issue('business-rule', `the OPD is closed on ${date}: hospital holiday (${holiday.reason}); no tokens are issued`, field));
  const weekday = weekdayOf(date);
  const doctors = new Set<string>();
  for (const s of await searchAll(repo, ctx, 'Schedule', [['actor', `HealthcareService/${department}`], ['active', 'true']])) {
    const hours = hoursOf(s);
    if (hours.weekdays.includes(weekday)) doctors.add(hours.practitioner);
  }
  for (const role of await searchAll(repo, ctx, 'PractitionerRole', [['organization', `Organization/${departmentOrg(department)}`]])) {
    const days = ((role.availableTime as Array<{ daysOfWeek?: string[] }> | undefined) ?? []).flatMap((t) => t.daysOfWeek ?? []);
    if (role.active !== false && days.includes(weekday)) doctors.add(refId(role.practitioner));
  }
  const present = [...doctors].filter((d) => !blockedBy(closures, d, date));
  if (present.length === 0) {
    throw new FhirError(409, issue('business-rule', doctors.size > 0
      ? `${name} OPD is closed on ${date}: its doctors are on leave; no tokens are issued`
      : `${name} has no OPD on ${weekday} (${date}); no tokens are issued`, field));
  }
  return org;
}
