import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { tokenSystem } from '../../../src/departments/opd/opd-codes.js';
import { ALL_DAYS, fieldsNamed, inDays, startOpdApp, type OpdApp } from './opd-app.js';

let t: OpdApp;
const TODAY = inDays(0);
const checkIn = (body: Record<string, unknown>, requestId = randomUUID()) => t.request('POST', '/api/opd/check-in', body, { 'x-request-id': requestId });
const queue = async (department = 'cardiology') => (await t.request('GET', `/api/opd/queue?department=${department}&date=${TODAY}`)).body.queue as any[];

before(async () => {
  t = await startOpdApp();
  // Cardiology holds OPD every day, all day, so the tests do not depend on the weekday.
  const s = await t.post('/api/opd/schedules', { practitioner: 'dr-sanjay-kulkarni', department: 'cardiology', weekdays: ALL_DAYS, start: '00:00', end: '23:55', slotMinutes: 5 });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-sanjay-kulkarni-cardiology', from: TODAY, to: TODAY });
});
after(async () => { await t.close(); });

test('20 walk-ins checked in at once get tokens 1 to 20, each once', async () => {
  const patients = await Promise.all(Array.from({ length: 20 }, (_, i) => t.patient(`Walkin${i}`)));
  const results = await Promise.all(patients.map((patient) => checkIn({ patient, department: 'cardiology' })));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  const tokens = results.map((r) => r.body.token).sort((a, b) => a - b);
  assert.deepEqual(tokens, Array.from({ length: 20 }, (_, i) => i + 1));
  const e = results[0].body.encounter;
  assert.equal(e.resourceType, 'Encounter');
  assert.equal(e.status, 'arrived');
  assert.equal(e.class.code, 'AMB');
  assert.equal(e.serviceProvider.reference, 'Organization/dept-cardiology');
  assert.equal(e.location[0].location.reference, 'Location/opd-room-cardiology');
  assert.deepEqual(e.identifier, [{ use: 'usual', system: tokenSystem('cardiology', TODAY), value: String(results[0].body.token) }]);
  const appointment = await t.request('GET', `/fhir/R4/${e.appointment[0].reference}`);
  assert.equal(appointment.body.status, 'arrived', 'a walk-in has an appointment arrived from the start');
  assert.equal(appointment.body.appointmentType.coding[0].code, 'WALKIN');
  assert.equal(appointment.body.slot, undefined);
  const byToken = await t.request('GET', `/fhir/R4/Encounter?identifier=${encodeURIComponent(`${tokenSystem('cardiology', TODAY)}|7`)}`);
  assert.equal(byToken.body.entry.length, 1, 'a token finds its one visit');
  const q = await queue();
  assert.deepEqual(q.map((i) => i.token), tokens, 'the queue is in token order');
  assert.ok(q.every((i) => i.state === 'waiting'));
  assert.equal(t.lastAccess?.patients.length, 20, 'the audit trail names the patients on the board');
});

test('a retried check-in (same X-Request-Id) gets the same token, not a new one', async () => {
  const patient = await t.patient('Twice');
  const id = randomUUID();
  const first = await checkIn({ patient, department: 'cardiology' }, id);
  const again = await checkIn({ patient, department: 'cardiology' }, id);
  assert.equal(first.status, 201);
  assert.equal(again.body.token, first.body.token);
  assert.equal(again.body.visit, first.body.visit);
  const none = await t.request('POST', '/api/opd/check-in', { patient, department: 'cardiology' });
  assert.equal(none.status, 400);
});

test('a booked patient checks in: the appointment arrives, the visit names the doctor', async () => {
  const free = await t.request('GET', `/api/opd/slots?department=cardiology&date=${TODAY}`);
  if (free.body.slots.length === 0) return; // the last minutes of the Indian day
  const patient = await t.patient('Booked');
  const booked = await t.post('/api/opd/appointments', { patient, slot: free.body.slots[0].id });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  const res = await checkIn({ appointment: booked.body.id });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.department, 'cardiology');
  assert.equal(res.body.encounter.participant[0].individual.reference, 'Practitioner/dr-sanjay-kulkarni');
  assert.equal(res.body.encounter.appointment[0].reference, `Appointment/${booked.body.id}`);
  assert.equal(res.body.encounter.subject.reference, `Patient/${patient}`);
  assert.equal((await t.request('GET', `/fhir/R4/Appointment/${booked.body.id}`)).body.status, 'arrived');
  const twice = await checkIn({ appointment: booked.body.id });
  assert.equal(twice.status, 409, 'one token per appointment');
  assert.deepEqual(fieldsNamed(twice.body), ['appointment']);
});

test('an appointment on another day is not checked in today', async () => {
  await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-sanjay-kulkarni-cardiology', from: inDays(3), to: inDays(3) });
  const slot = `slot-sch-dr-sanjay-kulkarni-cardiology-${inDays(3).replace(/-/g, '')}1000`;
  const booked = await t.post('/api/opd/appointments', { patient: await t.patient('Later'), slot });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  const res = await checkIn({ appointment: booked.body.id });
  assert.equal(res.status, 409);
  assert.match(res.body.issue[0].diagnostics, /not today/);
});

test('no token for a department without OPD today, or an unknown patient', async () => {
  const closed = await checkIn({ patient: await t.patient('Closed'), department: 'radiology' });
  assert.equal(closed.status, 409, JSON.stringify(closed.body));
  assert.match(closed.body.issue[0].diagnostics, /has no OPD on/);
  assert.deepEqual(fieldsNamed(closed.body), ['department']);
  const unknown = await checkIn({ patient: 'nobody-here', department: 'cardiology' });
  assert.equal(unknown.status, 422);
  assert.deepEqual(fieldsNamed(unknown.body), ['patient']);
  const noDepartment = await checkIn({ patient: await t.patient('Where'), department: 'astrology' });
  assert.equal(noDepartment.status, 422);
  assert.deepEqual(fieldsNamed(noDepartment.body), ['department']);
});

test('call-next calls the waiting tokens in order; a visit starts and closes', async () => {
  const first = await t.post('/api/opd/queue/call-next', { department: 'cardiology', room: 'opd-room-cardiology' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.called.token, 1);
  assert.equal(first.body.called.state, 'called');
  assert.equal(first.body.called.room, 'opd-room-cardiology');
  const second = await t.post('/api/opd/queue/call-next', { department: 'cardiology' });
  assert.equal(second.body.called.token, 2);
  const visit = first.body.called.visit;
  const start = await t.post(`/api/opd/visits/${visit}/start`);
  assert.equal(start.status, 200, JSON.stringify(start.body));
  assert.equal(start.body.status, 'in-progress');
  assert.equal(start.body.statusHistory[0].status, 'arrived');
  const close = await t.post(`/api/opd/visits/${visit}/close`);
  assert.equal(close.status, 200, JSON.stringify(close.body));
  assert.equal(close.body.status, 'finished');
  assert.ok(close.body.period.end);
  const reopen = await t.post(`/api/opd/visits/${second.body.called.visit}/close`);
  assert.equal(reopen.status, 409, 'a visit not started is not closed');
  const q = await queue();
  assert.deepEqual(q.slice(0, 3).map((i) => i.state), ['done', 'called', 'waiting']);
  assert.equal(typeof q[0].waitingMinutes, 'number');
  // Two rooms calling at once never call the same patient.
  const calls = await Promise.all(Array.from({ length: 6 }, () => t.post('/api/opd/queue/call-next', { department: 'cardiology' })));
  const called = calls.map((c) => c.body.called.token).sort((a, b) => a - b);
  assert.deepEqual(called, [3, 4, 5, 6, 7, 8]);
});

test('a doctor works the queue of their own department only', async () => {
  t.role = 'doctor';
  t.department = 'dept-cardiology';
  t.practitioner = 'Practitioner/dr-sanjay-kulkarni';
  try {
    const own = await t.post('/api/opd/queue/call-next', { department: 'cardiology' });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const start = await t.post(`/api/opd/visits/${own.body.called.visit}/start`);
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const other = await t.post('/api/opd/queue/call-next', { department: 'ent' });
    assert.equal(other.status, 403);
    const ownVisit = await checkIn({ patient: await t.patient('Doc'), department: 'cardiology' });
    assert.equal(ownVisit.status, 201, 'doctors may open visits in their department (Encounter create)');
    const otherVisit = await checkIn({ patient: await t.patient('Doc2'), department: 'ent' });
    assert.equal(otherVisit.status, 403, 'but not in another');
  } finally {
    t.role = 'appointment-desk';
    t.department = null;
    t.practitioner = null;
  }
  t.role = 'registration-clerk';
  try {
    const clerk = await checkIn({ patient: await t.patient('Clerk'), department: 'cardiology' });
    assert.equal(clerk.status, 201, 'the registration counter checks patients in');
    const call = await t.post('/api/opd/queue/call-next', { department: 'cardiology' });
    assert.equal(call.status, 403, 'but does not call them');
  } finally {
    t.role = 'appointment-desk';
  }
});

test('the queue board gets the queue as Server-Sent Events, again after a check-in', async () => {
  const controller = new AbortController();
  const res = await fetch(`${t.base}/api/opd/queue/events?department=cardiology`, { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const nextEvent = async () => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = raw.split('\n').find((l) => l.startsWith('data: '));
        if (data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  try {
    const initial = await nextEvent();
    const before = initial.queue.length;
    assert.ok(before > 0);
    const arrived = await checkIn({ patient: await t.patient('Live'), department: 'cardiology' });
    assert.equal(arrived.status, 201);
    const update = await nextEvent();
    assert.equal(update.queue.length, before + 1);
    assert.equal(update.queue.at(-1).token, arrived.body.token);
  } finally {
    controller.abort();
    await reader.cancel().catch(() => undefined);
  }
});

test('figures for the desk in charge: registrations, visits per department, waiting times', async () => {
  const before = (await t.request('GET', `/api/opd/figures?date=${TODAY}`)).body;
  await t.patient('Counted');
  const res = await t.request('GET', `/api/opd/figures?date=${TODAY}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.registrations, before.registrations + 1);
  const patients = await t.request('GET', '/fhir/R4/Patient?_summary=count');
  assert.equal(res.body.registrations, patients.body.total, 'every patient of this test was registered today');
  const cardiology = res.body.departments.find((d: any) => d.department === 'cardiology');
  const q = await queue();
  assert.equal(cardiology.visits, q.length);
  assert.equal(cardiology.done, 1);
  assert.equal(res.body.visits, q.length);
  assert.equal(typeof res.body.medianWaitMinutes, 'number');
  assert.ok(res.body.p90WaitMinutes >= res.body.medianWaitMinutes);
  const tomorrow = await t.request('GET', `/api/opd/figures?date=${inDays(1)}`);
  assert.equal(tomorrow.body.registrations, 0);
  assert.equal(tomorrow.body.visits, 0);
});

test('on a holiday no tokens are issued', async () => {
  // A board left open: closing the server ends it (after() would hang otherwise).
  const open = await fetch(`${t.base}/api/opd/queue/events?department=cardiology`);
  assert.equal(open.status, 200);
  const res = await t.post('/api/opd/holidays', { date: TODAY, name: 'Diwali' });
  assert.equal(res.status, 201);
  const closed = await checkIn({ patient: await t.patient('Holiday'), department: 'cardiology' });
  assert.equal(closed.status, 409);
  assert.match(closed.body.issue[0].diagnostics, /holiday \(Diwali\)/);
});
