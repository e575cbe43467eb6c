import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ALL_DAYS, fieldsNamed, inDays, startOpdApp, type OpdApp } from './opd-app.js';

let t: OpdApp;
const DAY = inDays(20);
const SCHEDULE = 'sch-dr-arjun-menon-ent';
const slot = (hhmm: string, date = DAY) => `slot-${SCHEDULE}-${date.replace(/-/g, '')}${hhmm}`;

before(async () => {
  t = await startOpdApp();
  const s = await t.post('/api/opd/schedules', { practitioner: 'dr-arjun-menon', department: 'ent', weekdays: ALL_DAYS, start: '09:00', end: '13:00', slotMinutes: 10 });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const g = await t.post('/api/opd/slots/generate', { schedule: SCHEDULE, from: inDays(-2), to: DAY });
  assert.equal(g.status, 200, JSON.stringify(g.body));
});
after(async () => { await t.close(); });

const book = (patient: string, slotId: string, requestId = randomUUID()) =>
  t.request('POST', '/api/opd/appointments', { patient, slot: slotId }, { 'x-request-id': requestId });

test('a booking is an Appointment for the patient and the doctor, and the slot becomes busy, in one ledger entry', async () => {
  const patient = await t.patient('Sunil');
  const entries = await t.ledgerEntries();
  const res = await book(patient, slot('0900'));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const a = res.body;
  assert.equal(a.resourceType, 'Appointment');
  assert.equal(a.status, 'booked');
  assert.equal(a.start, `${DAY}T09:00:00+05:30`);
  assert.equal(a.end, `${DAY}T09:10:00+05:30`);
  assert.deepEqual(a.slot, [{ reference: `Slot/${slot('0900')}` }]);
  const actors = a.participant.map((p: any) => p.actor.reference);
  assert.ok(actors.includes(`Patient/${patient}`));
  assert.ok(actors.includes('Practitioner/dr-arjun-menon'));
  assert.equal(await t.ledgerEntries(), entries + 1, 'one transaction, one ledger entry');
  const s = await t.request('GET', `/fhir/R4/Slot/${slot('0900')}`);
  assert.equal(s.body.status, 'busy');
  const free = await t.request('GET', `/api/opd/slots?department=ent&date=${DAY}`);
  assert.ok(!free.body.slots.some((x: any) => x.id === slot('0900')), 'a booked slot is no longer offered');
});

test('the audit trail names the patient booked', async () => {
  const patient = await t.patient('Audit');
  const res = await book(patient, slot('0910'));
  assert.equal(res.status, 201);
  assert.deepEqual(t.lastAccess, { interaction: 'create', resourceType: 'Appointment', patients: [`Patient/${patient}`] });
});

test('a retry with the same X-Request-Id returns the first booking; without one the booking is refused', async () => {
  const patient = await t.patient('Retry');
  const id = randomUUID();
  const first = await book(patient, slot('0920'), id);
  assert.equal(first.status, 201);
  const again = await book(patient, slot('0920'), id);
  assert.ok(again.status === 200 || again.status === 201, JSON.stringify(again.body));
  assert.equal(again.body.id, first.body.id);
  const other = await book(await t.patient('Other'), slot('0930'), id);
  assert.equal(other.status, 422, 'the same X-Request-Id for another patient');
  assert.deepEqual(fieldsNamed(other.body), ['X-Request-Id']);
  const none = await t.request('POST', '/api/opd/appointments', { patient, slot: slot('0930') });
  assert.equal(none.status, 400);
  assert.deepEqual(fieldsNamed(none.body), ['X-Request-Id']);
});

test('20 clerks booking one slot at once: exactly one wins, the others hear "slot already booked"', async () => {
  const patients = await Promise.all(Array.from({ length: 20 }, (_, i) => t.patient(`Rush${i}`)));
  const results = await Promise.all(patients.map((p) => book(p, slot('1000'))));
  const won = results.filter((r) => r.status === 201);
  const lost = results.filter((r) => r.status === 409);
  assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
  assert.equal(lost.length, 19);
  for (const r of lost) {
    assert.equal(r.body.resourceType, 'OperationOutcome');
    assert.match(r.body.issue[0].diagnostics, /slot already booked/);
    assert.deepEqual(fieldsNamed(r.body), ['slot']);
  }
  const appointments = await t.request('GET', `/fhir/R4/Appointment?slot=Slot/${slot('1000')}`);
  assert.equal(appointments.body.entry.length, 1, 'one appointment holds the slot');
  assert.equal(appointments.body.entry[0].resource.id, won[0].body.id);
});

test('refused: a past slot, a busy or unavailable slot, an unknown patient or slot, naming the field', async () => {
  const patient = await t.patient('Refused');
  const past = await book(patient, slot('0900', inDays(-1)));
  assert.equal(past.status, 422, JSON.stringify(past.body));
  assert.match(past.body.issue[0].diagnostics, /in the past/);
  assert.deepEqual(fieldsNamed(past.body), ['slot']);
  const busy = await book(patient, slot('0900'));
  assert.equal(busy.status, 409);
  assert.deepEqual(fieldsNamed(busy.body), ['slot']);
  const leaveDay = inDays(19);
  await t.post('/api/opd/leave', { practitioner: 'dr-arjun-menon', from: leaveDay, to: leaveDay, reason: 'Family function' });
  const blocked = await book(patient, slot('1100', leaveDay));
  assert.equal(blocked.status, 409);
  assert.match(blocked.body.issue[0].diagnostics, /not available.*Family function/);
  assert.deepEqual(fieldsNamed(blocked.body), ['slot']);
  const nobody = await book('no-such-patient', slot('1110'));
  assert.equal(nobody.status, 422);
  assert.deepEqual(fieldsNamed(nobody.body), ['patient']);
  const noSlot = await book(patient, 'slot-nowhere');
  assert.equal(noSlot.status, 422);
  assert.deepEqual(fieldsNamed(noSlot.body), ['slot']);
  const free = await t.request('GET', `/fhir/R4/Slot/${slot('1110')}`);
  assert.equal(free.body.status, 'free', 'nothing half-saved');
});

test('reschedule moves the booking and frees the old slot; cancel frees the slot', async () => {
  const patient = await t.patient('Moves');
  const booked = await book(patient, slot('1200'));
  assert.equal(booked.status, 201);
  const moved = await t.post(`/api/opd/appointments/${booked.body.id}/reschedule`, { slot: slot('1210') });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.deepEqual(moved.body.slot, [{ reference: `Slot/${slot('1210')}` }]);
  assert.equal(moved.body.start, `${DAY}T12:10:00+05:30`);
  assert.equal((await t.request('GET', `/fhir/R4/Slot/${slot('1200')}`)).body.status, 'free');
  assert.equal((await t.request('GET', `/fhir/R4/Slot/${slot('1210')}`)).body.status, 'busy');
  const toBusy = await t.post(`/api/opd/appointments/${booked.body.id}/reschedule`, { slot: slot('0900') });
  assert.equal(toBusy.status, 409, 'not onto a booked slot');
  const cancelled = await t.post(`/api/opd/appointments/${booked.body.id}/cancel`, { reason: 'Patient travelling' });
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal(cancelled.body.cancelationReason.text, 'Patient travelling');
  assert.equal((await t.request('GET', `/fhir/R4/Slot/${slot('1210')}`)).body.status, 'free');
  const rebook = await book(await t.patient('Next'), slot('1210'));
  assert.equal(rebook.status, 201, 'a freed slot can be booked again');
  const late = await t.post(`/api/opd/appointments/${booked.body.id}/reschedule`, { slot: slot('1220') });
  assert.equal(late.status, 409, 'a cancelled appointment is not rescheduled');
});

test('no-show: on the day, a booked appointment that nobody came for', async () => {
  const today = inDays(0);
  await t.post('/api/opd/schedules', { practitioner: 'dr-meenakshi-sundaram', department: 'paediatrics', weekdays: ALL_DAYS, start: '00:00', end: '23:55', slotMinutes: 5 });
  await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-meenakshi-sundaram-paediatrics', from: today, to: today });
  const free = await t.request('GET', `/api/opd/slots?department=paediatrics&date=${today}`);
  const future = await book(await t.patient('Early'), slot('1250'));
  const early = await t.post(`/api/opd/appointments/${future.body.id}/no-show`);
  assert.equal(early.status, 409, 'not before its day');
  if (free.body.slots.length === 0) return; // the last minutes of the Indian day: no slot left today
  const booked = await book(await t.patient('Absent'), free.body.slots[0].id);
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  const res = await t.post(`/api/opd/appointments/${booked.body.id}/no-show`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status, 'noshow');
});

test('a registration clerk may not book', async () => {
  t.role = 'registration-clerk';
  try {
    const res = await book(await t.patient('Clerk'), slot('1230'));
    assert.equal(res.status, 403);
  } finally {
    t.role = 'appointment-desk';
  }
});
