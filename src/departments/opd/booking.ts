/**
 * Appointments: booking, rescheduling, cancelling, no-shows. A booking is ONE FHIR transaction:
 * the Appointment and the Slot turned busy, the Slot's update carrying If-Match of the version the
 * booking saw. Two clerks booking the same slot at once both see it free, but only one transaction
 * can move it from that version: the other gets 412 from the repository and 409 "slot already
 * booked" from us, with nothing written.
 *
 * The Appointment's id is derived from the desk's X-Request-Id, so a retry after a lost answer finds
 * the booking it made instead of refusing its own, now busy, slot.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import { closuresOf } from './closures.js';
import { indiaDate } from './india-time.js';
import { idOf, opdRoom, ref, refId, shortHash } from './opd-codes.js';
import { load, mustExist, transact, withoutMeta, type Versioned } from './opd-store.js';
import { displayName, hoursOf, openStatus, withStatus } from './schedules.js';

export const slotTaken = (field = 'slot') => new FhirError(409, issue('conflict', 'slot already booked: another booking took it; choose another slot', field));

interface UsableSlot {
  slot: Versioned;
  practitioner: string;
  department: string;
}

/** A slot a patient can be booked into now: exists, free, not in the past. */
async function usableSlot(repo: FhirRepository, ctx: RequestContext, slotId: string, field: string, now = Date.now()): Promise<UsableSlot> {
  const slot = await mustExist(repo, ctx, 'Slot', slotId, field);
  const status = slot.resource.status;
  if (status === 'busy') throw slotTaken(field);
  if (status === 'busy-unavailable') {
    throw new FhirError(409, issue('business-rule', `slot is not available${slot.resource.comment ? ` (${String(slot.resource.comment)})` : ''}`, field));
  }
  if (status !== 'free') throw new FhirError(409, issue('business-rule', `slot is ${String(status)}, not free`, field));
  if (Date.parse(String(slot.resource.start)) < now) throw new FhirError(422, issue('business-rule', `slot starts at ${String(slot.resource.start)}, in the past`, field));
  const schedule = await mustExist(repo, ctx, 'Schedule', refId(slot.resource.schedule), field);
  const hours = hoursOf(schedule.resource);
  return { slot, practitioner: hours.practitioner, department: hours.department };
}

async function patientOf(repo: FhirRepository, ctx: RequestContext, raw: unknown): Promise<FhirResource> {
  return (await mustExist(repo, ctx, 'Patient', idOf(raw, 'Patient', 'patient'), 'patient')).resource;
}

function appointmentFor(id: string, patient: FhirResource, use: UsableSlot, doctorName: string | undefined, time: string): FhirResource {
  return {
    resourceType: 'Appointment', id, status: 'booked',
    serviceType: [{ text: use.department }],
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment' }] },
    start: use.slot.resource.start, end: use.slot.resource.end, created: time,
    slot: [ref('Slot', use.slot.resource.id as string)],
    participant: [
      { actor: ref('Patient', patient.id as string, displayName(patient)), status: 'accepted' },
      { actor: ref('Practitioner', use.practitioner, doctorName), status: 'accepted' },
      { actor: ref('HealthcareService', use.department), status: 'accepted' },
      { actor: ref('Location', opdRoom(use.department)), status: 'accepted' },
    ],
  };
}

const busy = (slot: Versioned) => ({ method: 'PUT' as const, resource: withStatus(slot.resource, { status: 'busy' }), ifMatch: slot.versionId });

/** Books `patient` into `slot`. */
export async function book(repo: FhirRepository, ctx: RequestContext, body: Record<string, unknown>): Promise<{ status: number; appointment: FhirResource }> {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the desk sends one per booking, so a retry books once', 'X-Request-Id'));
  const slotId = idOf(body.slot, 'Slot', 'slot');
  const id = `appt-${shortHash(`${ctx.hospitalId}|${ctx.requestId}`, 32)}`;
  const earlier = await load(repo, ctx, 'Appointment', id);
  if (earlier) {
    // This booking was made already (and may have been moved or cancelled since): it, as it is now.
    const patient = (earlier.resource.participant as Array<{ actor?: { reference?: string } }>).find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
    if (patient !== `Patient/${idOf(body.patient, 'Patient', 'patient')}`) {
      throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different booking`, 'X-Request-Id'));
    }
    return { status: 200, appointment: earlier.resource };
  }
  const patient = await patientOf(repo, ctx, body.patient);
  const use = await usableSlot(repo, ctx, slotId, 'slot');
  const doctor = await load(repo, ctx, 'Practitioner', use.practitioner);
  const appointment = appointmentFor(id, patient, use, doctor && displayName(doctor.resource), new Date().toISOString());
  const [written] = await guarded(transact(repo, ctx, [{ method: 'PUT', resource: appointment }, busy(use.slot)]), 'slot');
  return { status: 201, appointment: written };
}

/** The booked appointment and its version, or 404/409. */
async function bookedAppointment(repo: FhirRepository, ctx: RequestContext, id: string): Promise<Versioned> {
  const found = await load(repo, ctx, 'Appointment', id);
  if (!found) throw new FhirError(404, issue('not-found', `Appointment/${id} does not exist`));
  return found;
}

/** The slot a booked appointment frees, with the status it goes back to (free, or unavailable on leave/holiday). */
async function freed(repo: FhirRepository, ctx: RequestContext, appointment: FhirResource) {
  const slotId = refId((appointment.slot as unknown[] | undefined)?.[0]);
  if (!slotId) return [];
  const slot = await load(repo, ctx, 'Slot', slotId);
  if (!slot || slot.resource.status !== 'busy') return [];
  const schedule = await load(repo, ctx, 'Schedule', refId(slot.resource.schedule));
  const wanted = openStatus(await closuresOf(repo, ctx), schedule ? hoursOf(schedule.resource).practitioner : undefined, indiaDate(String(slot.resource.start)));
  return [{ method: 'PUT' as const, resource: withStatus(slot.resource, wanted), ifMatch: slot.versionId }];
}

export async function reschedule(repo: FhirRepository, ctx: RequestContext, id: string, body: Record<string, unknown>): Promise<FhirResource> {
  const slotId = idOf(body.slot, 'Slot', 'slot');
  const current = await bookedAppointment(repo, ctx, id);
  const appointment = current.resource;
  if (refId((appointment.slot as unknown[] | undefined)?.[0]) === slotId && appointment.status === 'booked') return appointment; // done already (a retry)
  if (appointment.status !== 'booked') throw new FhirError(409, issue('business-rule', `Appointment/${id} is ${String(appointment.status)}; only a booked appointment can be rescheduled`));
  const use = await usableSlot(repo, ctx, slotId, 'slot');
  const doctor = await load(repo, ctx, 'Practitioner', use.practitioner);
  const patient = (appointment.participant as Array<{ actor?: { reference?: string; display?: string } }>).find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor;
  const moved = appointmentFor(id, { resourceType: 'Patient', id: refId(patient), name: patient?.display ? [{ text: patient.display }] : undefined }, use, doctor && displayName(doctor.resource), String(appointment.created ?? new Date().toISOString()));
  const [written] = await guarded(transact(repo, ctx, [
    { method: 'PUT', resource: { ...moved, ...(appointment.comment ? { comment: appointment.comment } : {}) }, ifMatch: current.versionId },
    ...(await freed(repo, ctx, appointment)), busy(use.slot),
  ]), 'slot');
  return written;
}

export async function cancel(repo: FhirRepository, ctx: RequestContext, id: string, body: Record<string, unknown>): Promise<FhirResource> {
  const current = await bookedAppointment(repo, ctx, id);
  const appointment = current.resource;
  if (appointment.status === 'cancelled') return appointment;
  if (appointment.status !== 'booked') throw new FhirError(409, issue('business-rule', `Appointment/${id} is ${String(appointment.status)}; only a booked appointment can be cancelled`));
  const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason.trim().slice(0, 200) : undefined;
  const cancelled = { ...withoutMeta(appointment), status: 'cancelled', cancelationReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code: 'pat' }], ...(reason ? { text: reason } : {}) } };
  const [written] = await guarded(transact(repo, ctx, [{ method: 'PUT', resource: cancelled, ifMatch: current.versionId }, ...(await freed(repo, ctx, appointment))]), 'appointment');
  return written;
}

/** The patient did not come: the appointment says so; its time is gone, so the slot stays busy. */
export async function noShow(repo: FhirRepository, ctx: RequestContext, id: string): Promise<FhirResource> {
  const current = await bookedAppointment(repo, ctx, id);
  const appointment = current.resource;
  if (appointment.status === 'noshow') return appointment;
  if (appointment.status !== 'booked') throw new FhirError(409, issue('business-rule', `Appointment/${id} is ${String(appointment.status)}; only a booked appointment can be a no-show`));
  if (indiaDate(String(appointment.start)) > indiaDate()) throw new FhirError(409, issue('business-rule', `Appointment/${id} is on ${indiaDate(String(appointment.start))}; it cannot be a no-show before that day`));
  const [written] = await guarded(transact(repo, ctx, [{ method: 'PUT', resource: { ...withoutMeta(appointment), status: 'noshow' }, ifMatch: current.versionId }]), 'appointment');
  return written;
}

/** A stale If-Match (412) means someone else got there first: 409 with words for the desk. */
async function guarded<T>(write: Promise<T>, field: string): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof FhirError && err.status === 412) {
      if (field === 'slot') throw slotTaken(field);
      throw new FhirError(409, issue('conflict', 'the appointment was changed by someone else meanwhile; reload and retry', field));
    }
    throw err;
  }
}

