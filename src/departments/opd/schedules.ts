/**
 * A doctor's weekly OPD in a department (FHIR Schedule: actors Practitioner, HealthcareService and
 * the OPD room; weekdays, hours and slot length in the opd-hours extension), and the Slots it
 * generates for a range of dates. Slot ids are deterministic (`slot-<schedule>-<yyyymmddhhmm>`), so
 * generating a range again writes only what changed: a booked slot is never touched, a free one
 * falling on a leave or holiday becomes busy-unavailable, and after the schedule changed, free
 * slots it no longer has are withdrawn (busy-unavailable, "No longer in the schedule").
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository, WriteResult } from '../../fhir/repository/repository.js';
import { badRequest, FhirError, issue } from '../../fhir/outcome.js';
import { blockedBy, closuresOf, type Closure } from './closures.js';
import { compactIndia, datesFrom, dayBounds, formatIndia, indiaDate, indiaMillis, isDate, minutesOf, timeOf, weekdayOf, WEEKDAYS, type Weekday } from './india-time.js';
import { departmentKey, departmentOrg, EXTENSION, idOf, opdRoom, ref, refId, scheduleId, slotId } from './opd-codes.js';
import { load, mustExist, searchAll, transact, versionOf, withoutMeta, type TransactionEntry } from './opd-store.js';

export const MAX_GENERATE_DAYS = 92;

export interface OpdHours {
  practitioner: string;
  department: string;
  weekdays: Weekday[];
  /** Minutes after midnight, India time. */
  start: number;
  end: number;
  slotMinutes: number;
}

export function readScheduleRequest(body: Record<string, unknown>): OpdHours {
  const practitioner = idOf(body.practitioner, 'Practitioner', 'practitioner');
  const department = departmentKey(body.department);
  const weekdays = Array.isArray(body.weekdays) ? body.weekdays : [];
  if (weekdays.length === 0 || !weekdays.every((d) => (WEEKDAYS as readonly unknown[]).includes(d))) {
    throw badRequest('weekdays lists the OPD days: "mon" … "sun"', 'weekdays');
  }
  const start = minutesOf(String(body.start ?? ''));
  const end = minutesOf(String(body.end ?? ''));
  if (start === undefined) throw badRequest('start is the time the OPD opens, e.g. "09:00" (India time)', 'start');
  if (end === undefined || end <= start) throw badRequest('end is the time the OPD closes, after start, e.g. "13:00"', 'end');
  const slotMinutes = body.slotMinutes === undefined ? 10 : Number(body.slotMinutes);
  if (!Number.isInteger(slotMinutes) || slotMinutes < 5 || slotMinutes > 120) throw badRequest('slotMinutes is a whole number of minutes from 5 to 120', 'slotMinutes');
  return { practitioner, department, weekdays: [...new Set(weekdays as Weekday[])], start, end, slotMinutes };
}

/** Creates or replaces the doctor's schedule in the department (one per pair). */
export async function saveSchedule(repo: FhirRepository, ctx: RequestContext, hours: OpdHours): Promise<WriteResult> {
  const doctor = await mustExist(repo, ctx, 'Practitioner', hours.practitioner, 'practitioner');
  const department = await mustExist(repo, ctx, 'Organization', departmentOrg(hours.department), 'department');
  const id = scheduleId(hours.practitioner, hours.department);
  const doctorName = displayName(doctor.resource);
  const schedule: FhirResource = {
    resourceType: 'Schedule', id, active: true,
    serviceType: [{ text: `${String(department.resource.name ?? hours.department)} OPD` }],
    actor: [ref('Practitioner', hours.practitioner, doctorName), ref('HealthcareService', hours.department), ref('Location', opdRoom(hours.department))],
    planningHorizon: { start: formatIndia(indiaMillis(indiaDate(), 0)) },
    comment: `${doctorName ?? hours.practitioner}: ${hours.weekdays.join(', ')} ${timeOf(hours.start).slice(0, 5)}-${timeOf(hours.end).slice(0, 5)}, ${hours.slotMinutes}-minute slots`,
    extension: [{
      url: EXTENSION.opdHours,
      extension: [
        ...hours.weekdays.map((d) => ({ url: 'weekday', valueCode: d })),
        { url: 'start', valueTime: timeOf(hours.start) },
        { url: 'end', valueTime: timeOf(hours.end) },
        { url: 'slotMinutes', valuePositiveInt: hours.slotMinutes },
      ],
    }],
  };
  const existing = await load(repo, ctx, 'Schedule', id);
  if (existing) schedule.planningHorizon = existing.resource.planningHorizon;
  return repo.update(ctx, 'Schedule', id, schedule);
}

/** The weekly hours a Schedule carries. */
export function hoursOf(schedule: FhirResource): OpdHours {
  const parts = ((schedule.extension as Array<{ url: string; extension?: Array<Record<string, unknown>> }> | undefined) ?? [])
    .find((e) => e.url === EXTENSION.opdHours)?.extension ?? [];
  const actors = (schedule.actor as Array<{ reference?: string }> | undefined) ?? [];
  const actorOf = (type: string) => refId(actors.find((a) => a.reference?.startsWith(`${type}/`)));
  return {
    practitioner: actorOf('Practitioner'),
    department: actorOf('HealthcareService'),
    weekdays: parts.filter((p) => p.url === 'weekday').map((p) => p.valueCode as Weekday),
    start: minutesOf(String(parts.find((p) => p.url === 'start')?.valueTime ?? '')) ?? 0,
    end: minutesOf(String(parts.find((p) => p.url === 'end')?.valueTime ?? '')) ?? 0,
    slotMinutes: Number(parts.find((p) => p.url === 'slotMinutes')?.valuePositiveInt ?? 10),
  };
}

export function displayName(resource: FhirResource): string | undefined {
  const name = (resource.name as Array<{ text?: string; prefix?: string[]; given?: string[]; family?: string }> | undefined)?.[0];
  if (!name) return undefined;
  return name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
}

/** The slot with a new status (and the comment that explains it, or none). */
export function withStatus(slot: FhirResource, wanted: { status: string; comment?: string }): FhirResource {
  const { comment: _old, ...rest } = withoutMeta(slot);
  return { ...rest, status: wanted.status, ...(wanted.comment ? { comment: wanted.comment } : {}) } as FhirResource;
}

/** What a slot's status should be when nobody booked it. */
export function openStatus(closures: Closure[], practitioner: string | undefined, date: string): { status: string; comment?: string } {
  const closed = blockedBy(closures, practitioner, date);
  return closed ? { status: 'busy-unavailable', comment: closed.kind === 'holiday' ? `Holiday: ${closed.reason}` : `Leave: ${closed.reason}` } : { status: 'free' };
}

export interface GenerateResult {
  schedule: string;
  from: string;
  to: string;
  /** Slots the schedule has in the range. */
  slots: number;
  written: number;
  free: number;
  unavailable: number;
  booked: number;
}

export function readRange(body: Record<string, unknown>): { from: string; to: string } {
  const from = body.from;
  const to = body.to ?? from;
  if (!isDate(from)) throw badRequest('from is the first date, YYYY-MM-DD', 'from');
  if (!isDate(to) || to < from) throw badRequest('to is the last date (YYYY-MM-DD), not before from', 'to');
  if (datesFrom(from, to).length > MAX_GENERATE_DAYS) throw badRequest(`slots are generated for at most ${MAX_GENERATE_DAYS} days at a time`, 'to');
  return { from, to };
}

export async function generateSlots(repo: FhirRepository, ctx: RequestContext, id: string, from: string, to: string): Promise<GenerateResult> {
  const schedule = (await mustExist(repo, ctx, 'Schedule', id, 'schedule')).resource;
  if (schedule.active === false) throw new FhirError(409, issue('business-rule', `Schedule/${id} is not active`, 'schedule'));
  const hours = hoursOf(schedule);
  const closures = await closuresOf(repo, ctx);
  const result: GenerateResult = { schedule: id, from, to, slots: 0, written: 0, free: 0, unavailable: 0, booked: 0 };
  for (let attempt = 0; ; attempt++) {
    const writes: TransactionEntry[] = [];
    const counts = { slots: 0, free: 0, unavailable: 0, booked: 0 };
    for (const date of datesFrom(from, to)) {
      const { start, end } = dayBounds(date);
      const existing = new Map((await searchAll(repo, ctx, 'Slot', [['schedule', `Schedule/${id}`], ['start', `ge${start}`], ['start', `lt${end}`]])).map((s) => [s.id as string, s]));
      const wanted = openStatus(closures, hours.practitioner, date);
      const generated = new Set<string>();
      // Free slots of an earlier version of the schedule (other days or hours) are withdrawn; booked ones stay.
      const withdraw = () => {
        for (const [sid, had] of existing) {
          if (generated.has(sid) || had.status !== 'free') continue;
          writes.push({ method: 'PUT', resource: withStatus(had, { status: 'busy-unavailable', comment: 'No longer in the schedule' }), ifMatch: versionOf(had) });
        }
      };
      if (!hours.weekdays.includes(weekdayOf(date))) {
        withdraw();
        continue;
      }
      for (let m = hours.start; m + hours.slotMinutes <= hours.end; m += hours.slotMinutes) {
        const t = indiaMillis(date, m);
        const sid = slotId(id, compactIndia(t));
        const slot: FhirResource = {
          resourceType: 'Slot', id: sid, schedule: ref('Schedule', id), status: wanted.status,
          start: formatIndia(t), end: formatIndia(t + hours.slotMinutes * 60_000), ...(wanted.comment ? { comment: wanted.comment } : {}),
        };
        counts.slots++;
        generated.add(sid);
        const had = existing.get(sid);
        const status = had?.status === 'busy' ? 'busy' : wanted.status;
        counts[status === 'free' ? 'free' : status === 'busy-unavailable' ? 'unavailable' : 'booked']++;
        if (!had) writes.push({ method: 'PUT', resource: slot });
        else if (had.status !== 'busy' && (had.status !== wanted.status || had.comment !== wanted.comment)) writes.push({ method: 'PUT', resource: withStatus(had, wanted), ifMatch: versionOf(had) });
      }
      withdraw();
    }
    try {
      await transact(repo, ctx, writes);
      return { ...result, ...counts, written: writes.length };
    } catch (err) {
      // A slot was booked while we looked: look again (it is kept as booked).
      if (!(err instanceof FhirError) || err.status !== 412 || attempt >= 3) throw err;
    }
  }
}
