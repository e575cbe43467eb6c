/**
 * When the OPD is shut: a doctor's leave, the hospital's holidays. Each is a FHIR Basic resource in
 * the ledger (`opd-leave-…`, `opd-holiday-<date>`), so slots generated later respect it too; when
 * it is recorded, the free slots it covers become busy-unavailable at once. Booked slots are left
 * as they are and returned, so the desk can reschedule those patients.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { allByIdPrefix } from '../../fhir/repository/id-prefix.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { badRequest, FhirError } from '../../fhir/outcome.js';
import { dayBounds, isDate } from './india-time.js';
import { EXTENSION, idOf, OPD_CODE_SYSTEM, ref, refId, shortHash } from './opd-codes.js';
import { mustExist, searchAll, transact, versionOf } from './opd-store.js';
import { withStatus } from './schedules.js';

export interface Closure {
  id: string;
  kind: 'leave' | 'holiday';
  /** Both included, YYYY-MM-DD. */
  from: string;
  to: string;
  /** For leave. */
  practitioner?: string;
  reason: string;
}

const LEAVE_PREFIX = 'opd-leave-';
const HOLIDAY_PREFIX = 'opd-holiday-';

function closureOf(r: FhirResource): Closure {
  const period = ((r.extension as Array<{ url: string; valuePeriod?: { start: string; end: string } }> | undefined) ?? []).find((e) => e.url === EXTENSION.period)?.valuePeriod;
  const code = (r.code as { coding?: Array<{ code?: string }>; text?: string }) ?? {};
  return {
    id: r.id as string, kind: code.coding?.[0]?.code === 'holiday' ? 'holiday' : 'leave', from: period?.start ?? '', to: period?.end ?? '',
    ...(r.subject ? { practitioner: refId(r.subject) } : {}), reason: code.text ?? '',
  };
}

/** Every leave and holiday of the hospital. */
export async function closuresOf(repo: FhirRepository, ctx: RequestContext): Promise<Closure[]> {
  const [leave, holidays] = await Promise.all([
    allByIdPrefix(repo.db, ctx.hospitalId, 'Basic', LEAVE_PREFIX), allByIdPrefix(repo.db, ctx.hospitalId, 'Basic', HOLIDAY_PREFIX),
  ]);
  return [...leave, ...holidays].map(closureOf);
}

/** The holiday, or the doctor's leave, that shuts `date` (a holiday first). */
export function blockedBy(closures: Closure[], practitioner: string | undefined, date: string): Closure | undefined {
  const covering = closures.filter((c) => c.from <= date && date <= c.to && (c.kind === 'holiday' || c.practitioner === practitioner));
  return covering.find((c) => c.kind === 'holiday') ?? covering[0];
}

export function holidayOn(closures: Closure[], date: string): Closure | undefined {
  return closures.find((c) => c.kind === 'holiday' && c.from <= date && date <= c.to);
}

export interface ClosureResult {
  closure: Closure;
  /** Free slots that became busy-unavailable. */
  blockedSlots: number;
  /** Slots already booked in the closure: their patients need rescheduling. */
  bookedSlots: string[];
}

export async function addLeave(repo: FhirRepository, ctx: RequestContext, body: Record<string, unknown>): Promise<ClosureResult> {
  const practitioner = idOf(body.practitioner, 'Practitioner', 'practitioner');
  const from = body.from;
  const to = body.to ?? from;
  if (!isDate(from)) throw badRequest('from is the first day of leave, YYYY-MM-DD', 'from');
  if (!isDate(to) || to < from) throw badRequest('to is the last day of leave (YYYY-MM-DD), not before from', 'to');
  const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason.trim().slice(0, 200) : 'Leave';
  await mustExist(repo, ctx, 'Practitioner', practitioner, 'practitioner');
  const readable = `${LEAVE_PREFIX}${practitioner}-${from.replace(/-/g, '')}`;
  const id = readable.length <= 64 ? readable : `${LEAVE_PREFIX}${shortHash(`${practitioner}|${from}`)}`;
  const resource = closureResource(id, 'leave', from, to, reason, practitioner);
  await repo.update(ctx, 'Basic', id, resource);
  const schedules = await searchAll(repo, ctx, 'Schedule', [['actor', `Practitioner/${practitioner}`]]);
  const slots = schedules.length === 0 ? [] : await slotsBetween(repo, ctx, from, to, [['schedule', schedules.map((s) => `Schedule/${s.id}`).join(',')]]);
  return { closure: closureOf(resource), ...(await block(repo, ctx, slots, `Leave: ${reason}`)) };
}

export async function addHoliday(repo: FhirRepository, ctx: RequestContext, body: Record<string, unknown>): Promise<ClosureResult> {
  const date = body.date;
  if (!isDate(date)) throw badRequest('date is the holiday, YYYY-MM-DD', 'date');
  const name = typeof body.name === 'string' && body.name.trim() ? body.name.trim().slice(0, 200) : '';
  if (!name) throw badRequest('name says which holiday, e.g. "Republic Day"', 'name');
  const id = `${HOLIDAY_PREFIX}${date}`;
  const resource = closureResource(id, 'holiday', date, date, name);
  await repo.update(ctx, 'Basic', id, resource);
  const slots = await slotsBetween(repo, ctx, date, date, []);
  return { closure: closureOf(resource), ...(await block(repo, ctx, slots, `Holiday: ${name}`)) };
}

function closureResource(id: string, kind: 'leave' | 'holiday', from: string, to: string, reason: string, practitioner?: string): FhirResource {
  return {
    resourceType: 'Basic', id,
    code: { coding: [{ system: OPD_CODE_SYSTEM, code: kind, display: kind === 'leave' ? 'Doctor on leave' : 'Hospital holiday' }], text: reason },
    ...(practitioner ? { subject: ref('Practitioner', practitioner) } : {}),
    extension: [{ url: EXTENSION.period, valuePeriod: { start: from, end: to } }],
  };
}

async function slotsBetween(repo: FhirRepository, ctx: RequestContext, from: string, to: string, params: Array<[string, string]>): Promise<FhirResource[]> {
  return searchAll(repo, ctx, 'Slot', [...params, ['start', `ge${dayBounds(from).start}`], ['start', `lt${dayBounds(to).end}`]]);
}

/** Free slots become busy-unavailable in one transaction; a slot booked meanwhile stays booked. */
async function block(repo: FhirRepository, ctx: RequestContext, slots: FhirResource[], comment: string): Promise<Omit<ClosureResult, 'closure'>> {
  let current = slots;
  const noKey = { ...ctx, requestId: null, requestHash: null };
  for (let attempt = 0; ; attempt++) {
    const free = current.filter((s) => s.status === 'free');
    try {
      await transact(repo, noKey, free.map((s) => ({ method: 'PUT' as const, resource: withStatus(s, { status: 'busy-unavailable', comment }), ifMatch: versionOf(s) })));
      return { blockedSlots: free.length, bookedSlots: current.filter((s) => s.status === 'busy').map((s) => s.id as string) };
    } catch (err) {
      if (!(err instanceof FhirError) || err.status !== 412 || attempt >= 3) throw err;
      current = await Promise.all(current.map(async (s) => (await repo.read(ctx, 'Slot', s.id as string))));
    }
  }
}
