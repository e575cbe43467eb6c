/**
 * Check-in: the patient arrives at the OPD, a visit opens (Encounter class AMB, status arrived) and
 * gets the next token of the department for the day (1, 2, 3 … in check-in order). The token is
 * decided inside the ledger writer's plan, which runs under the hospital's chain lock: however many
 * counters check patients in at once, no two get the same token. Visit ids carry the token
 * (`opd-<department>-<yyyymmdd>-<00042>`), so the last token of the day is one index lookup, and the
 * token is also an identifier (system https://nirantar.health/opd-token/<department>/<date>).
 *
 * A booked patient's Appointment becomes arrived; a walk-in gets an Appointment that is arrived from
 * the start (no slot). Both writes are one ledger entry with the Encounter.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import { lastByIdPrefix } from '../../fhir/repository/id-prefix.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate, planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { LedgerEntryBody } from '../../store/ledger-entry.js';
import { indiaDate } from './india-time.js';
import { ACT_CODE, APPOINTMENT_TYPE, departmentKey, departmentOrg, idOf, opdRoom, ref, refId, shortHash, tokenSystem, visitId, visitPrefix } from './opd-codes.js';
import { mustExist, withoutMeta } from './opd-store.js';
import { requireOpen } from './opening.js';
import { displayName } from './schedules.js';

export interface CheckIn {
  encounter: FhirResource;
  token: number;
  department: string;
}

export const tokenOf = (encounter: FhirResource): number =>
  Number(((encounter.identifier as Array<{ system?: string; value?: string }> | undefined) ?? []).find((i) => i.system?.includes('/opd-token/'))?.value ?? 0);

/** `allow` is asked about the department before anything is written (a doctor checks in to their own). */
export async function checkIn(repo: FhirRepository, ctx: RequestContext, body: Record<string, unknown>, allow: (department: string) => void = () => undefined): Promise<CheckIn> {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the counter sends one per check-in, so a retry issues one token', 'X-Request-Id'));
  const today = indiaDate();
  let appointment: FhirResource | undefined;
  let department: string;
  let practitioner: string | undefined;
  let patient: FhirResource;
  if (body.appointment !== undefined) {
    const id = idOf(body.appointment, 'Appointment', 'appointment');
    appointment = (await mustExist(repo, ctx, 'Appointment', id, 'appointment')).resource;
    const actors = ((appointment.participant as Array<{ actor?: { reference?: string } }> | undefined) ?? []).map((p) => p.actor?.reference ?? '');
    department = refId({ reference: actors.find((a) => a.startsWith('HealthcareService/')) });
    practitioner = refId({ reference: actors.find((a) => a.startsWith('Practitioner/')) }) || undefined;
    patient = (await mustExist(repo, ctx, 'Patient', refId({ reference: actors.find((a) => a.startsWith('Patient/')) }), 'appointment')).resource;
    const day = indiaDate(String(appointment.start));
    if (day !== today) throw new FhirError(409, issue('business-rule', `the appointment is on ${day}, not today (${today})`, 'appointment'));
  } else {
    patient = (await mustExist(repo, ctx, 'Patient', idOf(body.patient, 'Patient', 'patient'), 'patient')).resource;
    department = departmentKey(body.department);
    if (body.practitioner !== undefined) practitioner = (await mustExist(repo, ctx, 'Practitioner', idOf(body.practitioner, 'Practitioner', 'practitioner'), 'practitioner')).resource.id;
  }
  allow(department);
  const org = await requireOpen(repo, ctx, department, today, body.appointment !== undefined ? 'appointment' : 'department');
  const doctor = practitioner ? await repo.read(ctx, 'Practitioner', practitioner).catch(() => undefined) : undefined;
  const patientRef = ref('Patient', patient.id as string, displayName(patient));

  const encounter = await repo.writer.append<FhirResource>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const date = indiaDate(time);
      const versions = [];
      let appointmentRef;
      if (appointment) {
        const current = await currentVersion(tx, ctx.hospitalId, 'Appointment', appointment.id as string);
        const now = current?.resource;
        if (!current || !now) throw new FhirError(422, issue('not-found', `appointment: Appointment/${appointment.id} does not exist`, 'appointment'));
        if (now.status === 'arrived' || now.status === 'fulfilled') throw new FhirError(409, issue('business-rule', `the patient has already checked in for Appointment/${appointment.id}`, 'appointment'));
        if (now.status !== 'booked') throw new FhirError(409, issue('business-rule', `Appointment/${appointment.id} is ${String(now.status)}, not booked`, 'appointment'));
        versions.push(planUpdate(validated({ ...withoutMeta(now), status: 'arrived' }, 'Appointment'), appointment.id as string, current, time).version);
        appointmentRef = ref('Appointment', appointment.id as string);
      } else {
        const id = `walkin-${shortHash(`${ctx.hospitalId}|${ctx.requestId}`, 32)}`;
        const walkIn = validated({
          resourceType: 'Appointment', id, status: 'arrived', serviceType: [{ text: department }],
          appointmentType: { coding: [{ system: APPOINTMENT_TYPE, code: 'WALKIN', display: 'A previously unscheduled walk-in visit' }] },
          start: time, end: new Date(Date.parse(time) + 10 * 60_000).toISOString(), created: time,
          participant: [
            { actor: patientRef, status: 'accepted' },
            ...(practitioner ? [{ actor: ref('Practitioner', practitioner), status: 'accepted' }] : []),
            { actor: ref('HealthcareService', department), status: 'accepted' },
          ],
        }, 'Appointment');
        versions.push(planCreate(walkIn, time, id).version);
        appointmentRef = ref('Appointment', id);
      }
      const last = await lastByIdPrefix(tx, ctx.hospitalId, 'Encounter', visitPrefix(department, date));
      const token = last ? tokenOf(last) + 1 : 1;
      const visit = validated({
        resourceType: 'Encounter',
        identifier: [{ use: 'usual', system: tokenSystem(department, date), value: String(token) }],
        status: 'arrived',
        class: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
        serviceType: { text: `${String(org.name ?? department)} OPD` },
        subject: patientRef,
        ...(practitioner ? { participant: [{ individual: ref('Practitioner', practitioner, doctor && displayName(doctor)) }] } : {}),
        appointment: [appointmentRef],
        period: { start: time },
        location: [{ location: ref('Location', opdRoom(department)), status: 'planned' }],
        serviceProvider: ref('Organization', departmentOrg(department), org.name as string | undefined),
      }, 'Encounter');
      const planned = planCreate(visit, time, visitId(department, date, token));
      versions.push(planned.version);
      return { interaction: 'create', versions, responses: versions.map((v) => ({ status: v.versionId === 1 ? 201 : 200 })), result: planned.version.resource as FhirResource };
    },
    // The counter retried with the same X-Request-Id (its answer was lost): the same visit and token.
    replay: async (_tx, entry: LedgerEntryBody) => {
      const visit = entry.versions.find((v) => v.resourceType === 'Encounter')?.resource as FhirResource | undefined;
      if (entry.requestHash !== ctx.requestHash || !visit) {
        throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`, 'X-Request-Id'));
      }
      return visit;
    },
  });
  return { encounter, token: tokenOf(encounter), department };
}
