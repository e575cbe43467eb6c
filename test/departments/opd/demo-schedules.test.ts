/** The demo hospital's OPD: every consultant with OPD days gets a schedule and two weeks of slots, once. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedDemoSchedules } from '../../../src/departments/opd/demo-schedules.js';
import { seedDemoHospital } from '../../../src/hospital/seed/seed-hospital.js';
import { STAFF } from '../../../src/hospital/seed/staff.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ audit: false });
  await seedDemoHospital(server.server.repo, server.server.hospitalId);
});
after(async () => server?.close());

test('each consultant with OPD days gets a schedule and free slots on those days only; seeding again adds nothing', async () => {
  const consultants = STAFF.filter((s) => s.opdDays?.length && s.department);
  const first = await seedDemoSchedules(server.server.repo, server.server.hospitalId);
  assert.equal(first.schedules, consultants.length);
  assert.ok(first.slots > 0);
  const slots = await server.request('GET', '/Slot?_summary=count');
  assert.equal(slots.body.total, first.slots);
  const ledger = async () => Number((await server.server.store.admin.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entry'))[0].n);
  const before = await ledger();
  const again = await seedDemoSchedules(server.server.repo, server.server.hospitalId);
  assert.equal(again.slots, first.slots);
  assert.equal(await ledger(), before, 'unchanged schedules and slots write nothing');
  // Dr. Anita Rao holds OPD on Mondays and Thursdays: her slots fall on those weekdays (India time).
  const hers = await server.request('GET', '/Slot?schedule=Schedule/' + (await server.request('GET', '/Schedule?actor=Practitioner/dr-anita-rao')).body.entry[0].resource.id + '&_count=500');
  const weekdays = new Set(hers.body.entry.map((e: any) => new Date(new Date(e.resource.start).getTime() + 5.5 * 3600_000).getUTCDay()));
  assert.deepEqual([...weekdays].sort(), [1, 4]);
});
