import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fieldsNamed, inDays, nextWeekday, startOpdApp, type OpdApp } from './opd-app.js';

let t: OpdApp;
before(async () => { t = await startOpdApp(); });
after(async () => { await t.close(); });

const MONDAY = nextWeekday(inDays(30), 1);
const THURSDAY = nextWeekday(MONDAY, 4);
const SUNDAY_AFTER = nextWeekday(MONDAY, 0);

test('a weekly schedule becomes a FHIR Schedule with the doctor, the service and the OPD room', async () => {
  const res = await t.post('/api/opd/schedules', { practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['mon', 'thu'], start: '09:00', end: '13:00', slotMinutes: 10 });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.resourceType, 'Schedule');
  assert.equal(res.body.id, 'sch-dr-anita-rao-general-medicine');
  assert.deepEqual(res.body.actor.map((a: any) => a.reference), ['Practitioner/dr-anita-rao', 'HealthcareService/general-medicine', 'Location/opd-room-general-medicine']);
  assert.ok(res.body.planningHorizon.start);
  const again = await t.post('/api/opd/schedules', { practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['mon', 'thu'], start: '09:00', end: '13:00', slotMinutes: 10 });
  assert.equal(again.status, 200, 'the same schedule again is the same resource');
  assert.equal(again.body.meta.versionId, '1', 'and writes nothing');
  const listed = await t.request('GET', '/api/opd/schedules?department=general-medicine');
  assert.deepEqual(listed.body.schedules.map((s: any) => s.id), ['sch-dr-anita-rao-general-medicine']);
});

test('bad schedules are refused naming the field', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['monday'], start: '09:00', end: '13:00' }, 'weekdays'],
    [{ practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['mon'], start: '13:00', end: '09:00' }, 'end'],
    [{ practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['mon'], start: '9am', end: '13:00' }, 'start'],
    [{ practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['mon'], start: '09:00', end: '13:00', slotMinutes: 2 }, 'slotMinutes'],
    [{ practitioner: 'dr-nobody', department: 'general-medicine', weekdays: ['mon'], start: '09:00', end: '13:00' }, 'practitioner'],
    [{ practitioner: 'dr-anita-rao', department: 'astrology', weekdays: ['mon'], start: '09:00', end: '13:00' }, 'department'],
  ];
  for (const [body, field] of cases) {
    const res = await t.post('/api/opd/schedules', body);
    assert.ok(res.status >= 400 && res.status < 500, `${field}: ${res.status}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(fieldsNamed(res.body), [field]);
  }
});

test('slots are generated for the OPD days in India time, and generating again duplicates nothing', async () => {
  const to = nextWeekday(THURSDAY, 5); // Monday to the Friday after Thursday: one Monday, one Thursday
  const res = await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-anita-rao-general-medicine', from: MONDAY, to });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.slots, 48, '2 OPD days x 24 ten-minute slots from 09:00 to 13:00');
  assert.equal(res.body.written, 48);
  assert.equal(res.body.free, 48);
  const first = await t.request('GET', `/fhir/R4/Slot/slot-sch-dr-anita-rao-general-medicine-${MONDAY.replace(/-/g, '')}0900`);
  assert.equal(first.status, 200);
  assert.equal(first.body.start, `${MONDAY}T09:00:00+05:30`);
  assert.equal(first.body.end, `${MONDAY}T09:10:00+05:30`);
  assert.equal(first.body.status, 'free');
  assert.equal(first.body.schedule.reference, 'Schedule/sch-dr-anita-rao-general-medicine');
  const lastOfDay = await t.request('GET', `/fhir/R4/Slot/slot-sch-dr-anita-rao-general-medicine-${THURSDAY.replace(/-/g, '')}1250`);
  assert.equal(lastOfDay.body.end, `${THURSDAY}T13:00:00+05:30`);
  const entries = await t.ledgerEntries();
  const again = await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-anita-rao-general-medicine', from: MONDAY, to });
  assert.equal(again.status, 200);
  assert.equal(again.body.slots, 48);
  assert.equal(again.body.written, 0);
  assert.equal(await t.ledgerEntries(), entries, 'regenerating wrote no ledger entry');
  const all = await t.request('GET', '/fhir/R4/Slot?schedule=Schedule/sch-dr-anita-rao-general-medicine&_summary=count');
  assert.equal(all.body.total, 48);
});

test('the free slots of a day, by department or doctor', async () => {
  const byDepartment = await t.request('GET', `/api/opd/slots?department=general-medicine&date=${MONDAY}`);
  assert.equal(byDepartment.status, 200, JSON.stringify(byDepartment.body));
  assert.equal(byDepartment.body.slots.length, 24);
  assert.equal(byDepartment.body.slots[0].start, `${MONDAY}T09:00:00+05:30`);
  assert.equal(byDepartment.body.slots[0].practitioner, 'dr-anita-rao');
  const byDoctor = await t.request('GET', `/api/opd/slots?practitioner=dr-anita-rao&date=${MONDAY}`);
  assert.equal(byDoctor.body.slots.length, 24);
  const sunday = await t.request('GET', `/api/opd/slots?department=general-medicine&date=${SUNDAY_AFTER}`);
  assert.deepEqual(sunday.body.slots, []);
  const bad = await t.request('GET', '/api/opd/slots?department=general-medicine&date=2027-02-30');
  assert.equal(bad.status, 400);
  assert.deepEqual(fieldsNamed(bad.body), ['date']);
});

test("a doctor's leave makes the slots of those days busy-unavailable, now and when generated later", async () => {
  const res = await t.post('/api/opd/leave', { practitioner: 'dr-anita-rao', from: MONDAY, to: MONDAY, reason: 'Conference' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.blockedSlots, 24);
  const slot = await t.request('GET', `/fhir/R4/Slot/slot-sch-dr-anita-rao-general-medicine-${MONDAY.replace(/-/g, '')}1000`);
  assert.equal(slot.body.status, 'busy-unavailable');
  assert.match(slot.body.comment, /Leave: Conference/);
  const free = await t.request('GET', `/api/opd/slots?department=general-medicine&date=${MONDAY}`);
  assert.deepEqual(free.body.slots, []);
  const thursday = await t.request('GET', `/api/opd/slots?department=general-medicine&date=${THURSDAY}`);
  assert.equal(thursday.body.slots.length, 24, 'other days are untouched');
  // The next Monday, on leave too, generated after the leave was recorded.
  const nextMonday = nextWeekday(nextWeekday(MONDAY, 2), 1);
  await t.post('/api/opd/leave', { practitioner: 'dr-anita-rao', from: nextMonday, to: nextMonday, reason: 'Conference' });
  const gen = await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-anita-rao-general-medicine', from: nextMonday, to: nextMonday });
  assert.equal(gen.body.unavailable, 24);
  assert.equal(gen.body.free, 0);
});

test('a holiday shuts every schedule that day', async () => {
  await t.post('/api/opd/schedules', { practitioner: 'dr-suresh-iyer', department: 'general-surgery', weekdays: ['thu'], start: '09:00', end: '10:00', slotMinutes: 15 });
  await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-suresh-iyer-general-surgery', from: THURSDAY, to: THURSDAY });
  const res = await t.post('/api/opd/holidays', { date: THURSDAY, name: 'Guru Nanak Jayanti' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.blockedSlots, 24 + 4);
  for (const department of ['general-medicine', 'general-surgery']) {
    const free = await t.request('GET', `/api/opd/slots?department=${department}&date=${THURSDAY}`);
    assert.deepEqual(free.body.slots, [], department);
  }
  const slot = await t.request('GET', `/fhir/R4/Slot/slot-sch-dr-suresh-iyer-general-surgery-${THURSDAY.replace(/-/g, '')}0915`);
  assert.equal(slot.body.status, 'busy-unavailable');
  assert.match(slot.body.comment, /Holiday: Guru Nanak Jayanti/);
  const noName = await t.post('/api/opd/holidays', { date: THURSDAY });
  assert.equal(noName.status, 400);
  assert.deepEqual(fieldsNamed(noName.body), ['name']);
});

test('only roles that keep the schedule may change it', async () => {
  t.role = 'registration-clerk';
  try {
    const res = await t.post('/api/opd/schedules', { practitioner: 'dr-anita-rao', department: 'general-medicine', weekdays: ['mon'], start: '09:00', end: '13:00' });
    assert.equal(res.status, 403);
    const read = await t.request('GET', `/api/opd/slots?department=general-medicine&date=${MONDAY}`);
    assert.equal(read.status, 200, 'but may look at the slots');
  } finally {
    t.role = 'appointment-desk';
  }
});

test('after a schedule changes, generating again withdraws the free slots it no longer has', async () => {
  const wednesday = nextWeekday(inDays(40), 3);
  const saturday = nextWeekday(wednesday, 6);
  await t.post('/api/opd/schedules', { practitioner: 'dr-harpreet-gill', department: 'orthopaedics', weekdays: ['wed', 'sat'], start: '09:00', end: '10:00', slotMinutes: 10 });
  const first = await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-harpreet-gill-orthopaedics', from: wednesday, to: saturday });
  assert.equal(first.body.free, 12);
  const changed = await t.post('/api/opd/schedules', { practitioner: 'dr-harpreet-gill', department: 'orthopaedics', weekdays: ['wed'], start: '09:00', end: '09:30', slotMinutes: 10 });
  assert.equal(changed.status, 200);
  const again = await t.post('/api/opd/slots/generate', { schedule: 'sch-dr-harpreet-gill-orthopaedics', from: wednesday, to: saturday });
  assert.equal(again.body.slots, 3);
  assert.equal(again.body.written, 9, 'the 3 later Wednesday slots and the 6 Saturday slots are withdrawn');
  const gone = await t.request('GET', `/fhir/R4/Slot/slot-sch-dr-harpreet-gill-orthopaedics-${saturday.replace(/-/g, '')}0900`);
  assert.equal(gone.body.status, 'busy-unavailable');
  assert.equal(gone.body.comment, 'No longer in the schedule');
  const free = await t.request('GET', `/api/opd/slots?practitioner=dr-harpreet-gill&date=${wednesday}`);
  assert.deepEqual(free.body.slots.map((s: any) => s.start.slice(11, 16)), ['09:00', '09:10', '09:20']);
});
