/**
 * The OPD queue of a department for a day: its visits in token order, and the moves a visit makes.
 *
 *   waiting          Encounter.status arrived
 *   called           arrived, with the opd-called extension (when, which room)
 *   in-consultation  in-progress
 *   done             finished
 *
 * "Called" is not an Encounter status in FHIR R4, and `triaged` would claim a triage that never
 * happened; so a called patient stays `arrived` (still waiting to be seen, for anything that reads
 * FHIR) and the call is an extension. Each status change keeps the previous status in
 * Encounter.statusHistory with its period, which is where waiting times come from.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import { allByIdPrefix } from '../../fhir/repository/id-prefix.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { Queryable } from '../../store/database.js';
import { tokenOf } from './check-in.js';
import { indiaDate } from './india-time.js';
import { EXTENSION, idOf, opdRoom, ref, refId, visitPrefix } from './opd-codes.js';
import { load, withoutMeta } from './opd-store.js';

import type { QueueItem, QueueState } from './opd-api.js';

export type { QueueItem, QueueState } from './opd-api.js';

type History = Array<{ status: string; period: { start?: string; end?: string } }>;

function called(encounter: FhirResource): { at?: string; room?: string } | undefined {
  const ext = ((encounter.extension as Array<{ url: string; extension?: Array<Record<string, unknown>> }> | undefined) ?? []).find((e) => e.url === EXTENSION.called);
  if (!ext) return undefined;
  const part = (url: string) => ext.extension?.find((p) => p.url === url);
  return { at: part('at')?.valueDateTime as string | undefined, room: refId(part('room')?.valueReference) || undefined };
}

export function itemOf(encounter: FhirResource, now = Date.now()): QueueItem {
  const status = String(encounter.status);
  const history = (encounter.statusHistory as History | undefined) ?? [];
  const arrivedAt = String((encounter.period as { start?: string } | undefined)?.start ?? '');
  const startedAt = history.find((h) => h.status === 'arrived')?.period.end;
  const finishedAt = history.find((h) => h.status === 'in-progress')?.period.end;
  const call = called(encounter);
  const state: QueueState = status === 'arrived' ? (call ? 'called' : 'waiting') : status === 'in-progress' ? 'in-consultation' : status === 'finished' ? 'done' : 'cancelled';
  const until = startedAt ? Date.parse(startedAt) : status === 'arrived' ? now : Date.parse(arrivedAt);
  const locations = (encounter.location as Array<{ location?: { reference?: string } }> | undefined) ?? [];
  return {
    token: tokenOf(encounter), visit: encounter.id as string, patient: encounter.subject as QueueItem['patient'], state, status,
    ...(refId((encounter.participant as Array<{ individual?: unknown }> | undefined)?.[0]?.individual) ? { practitioner: refId((encounter.participant as Array<{ individual?: unknown }>)[0].individual) } : {}),
    ...(encounter.appointment ? { appointment: refId((encounter.appointment as unknown[])[0]) } : {}),
    room: call?.room ?? (refId(locations[0]?.location) || undefined),
    arrivedAt, ...(call?.at ? { calledAt: call.at } : {}), ...(startedAt ? { startedAt } : {}), ...(finishedAt ? { finishedAt } : {}),
    waitingMinutes: Math.max(0, Math.round((until - Date.parse(arrivedAt)) / 6_000) / 10),
  };
}

/** The day's visits of the department, in token order. */
export async function visitsOf(db: Queryable, hospitalId: string, department: string, date: string): Promise<FhirResource[]> {
  return allByIdPrefix(db, hospitalId, 'Encounter', visitPrefix(department, date));
}

export async function queueOf(db: Queryable, hospitalId: string, department: string, date: string): Promise<QueueItem[]> {
  const now = Date.now();
  return (await visitsOf(db, hospitalId, department, date)).map((e) => itemOf(e, now));
}

/** The next waiting token of today is called to `room`: decided under the chain lock, so two rooms never call the same patient. */
export async function callNext(repo: FhirRepository, ctx: RequestContext, department: string, room: string | undefined): Promise<QueueItem | undefined> {
  const roomId = room === undefined ? opdRoom(department) : idOf(room, 'Location', 'room');
  if (!(await load(repo, ctx, 'Location', roomId))) throw new FhirError(422, issue('not-found', `room: Location/${roomId} does not exist`, 'room'));
  const result = await repo.writer.append<FhirResource | null>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const next = (await visitsOf(tx, ctx.hospitalId, department, indiaDate(time))).find((e) => e.status === 'arrived' && !called(e));
      if (!next) return { interaction: 'update', versions: [], result: null };
      const current = await currentVersion(tx, ctx.hospitalId, 'Encounter', next.id as string);
      const update = validated({
        ...withoutMeta(next),
        extension: [...((next.extension as unknown[] | undefined) ?? []), { url: EXTENSION.called, extension: [{ url: 'at', valueDateTime: time }, { url: 'room', valueReference: ref('Location', roomId) }] }],
        location: [{ location: ref('Location', roomId), status: 'active' }],
      }, 'Encounter');
      const planned = planUpdate(update, next.id as string, current, time);
      return { interaction: 'update', versions: [planned.version], responses: [{ status: 200 }], result: planned.version.resource as FhirResource };
    },
    // A retry with the same X-Request-Id: the patient that call called, not the next one.
    replay: async (_tx, entry) => (entry.requestHash === ctx.requestHash ? (entry.versions[0]?.resource as FhirResource | undefined) ?? null : null),
  });
  return result ? itemOf(result) : undefined;
}

/** The doctor starts the consultation (from waiting or called). */
export function started(encounter: FhirResource, time: string, practitioner?: string | null): FhirResource {
  if (encounter.status === 'in-progress') return encounter;
  if (encounter.status !== 'arrived') throw new FhirError(409, issue('business-rule', `Encounter/${encounter.id} is ${String(encounter.status)}; only a waiting or called patient can be seen`));
  const arrivedAt = (encounter.period as { start?: string } | undefined)?.start;
  const participants = (encounter.participant as unknown[] | undefined) ?? [];
  const doctor = practitioner?.startsWith('Practitioner/') ? practitioner : undefined;
  return {
    ...withoutMeta(encounter), status: 'in-progress',
    statusHistory: [...((encounter.statusHistory as History | undefined) ?? []), { status: 'arrived', period: { start: arrivedAt, end: time } }],
    ...(participants.length === 0 && doctor ? { participant: [{ individual: { reference: doctor } }] } : {}),
  };
}

/** The consultation is over. */
export function closed(encounter: FhirResource, time: string): FhirResource {
  if (encounter.status === 'finished') return encounter;
  if (encounter.status !== 'in-progress') throw new FhirError(409, issue('business-rule', `Encounter/${encounter.id} is ${String(encounter.status)}; a visit is closed after its consultation has started`));
  const history = (encounter.statusHistory as History | undefined) ?? [];
  const startedAt = history.find((h) => h.status === 'arrived')?.period.end;
  const period = (encounter.period as { start?: string } | undefined) ?? {};
  return {
    ...withoutMeta(encounter), status: 'finished',
    statusHistory: [...history, { status: 'in-progress', period: { start: startedAt, end: time } }],
    period: { ...period, end: time },
  };
}

export const departmentOfVisit = (encounter: FhirResource): string => refId(encounter.serviceProvider).replace(/^dept-/, '');
