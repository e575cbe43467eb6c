import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { todayInIndia, dateBefore } from '../../../src/departments/registration/desk-dates.js';
import { ESTIMATED_BIRTH_DATE_EXTENSION } from '../../../src/departments/registration/patient-resource.js';
import { uhidOf, UHID_SYSTEM } from '../../../src/departments/registration/uhid.js';
import { fieldsNamed, startRegistrationApp, type RegistrationApp } from './registration-app.js';

let t: RegistrationApp;
before(async () => { t = await startRegistrationApp(); });
after(async () => { await t.close(); });

// A 1x1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

const form = (extra: Record<string, unknown> = {}) => ({
  name: { given: 'Anita', family: 'Sharma' }, sex: 'female', birthDate: '1987-04-12', phone: '098765 43210',
  address: { line: '12 Gandhi Marg', city: 'New Delhi', district: 'South Delhi', state: 'Delhi', pincode: '110029' },
  guardian: { name: 'Ramesh Sharma', relationship: 'Father', phone: '+91 91234 56789' },
  abha: '12345678901234', photo: PNG,
  ...extra,
});

const register = (body: unknown, requestId: string = randomUUID()) =>
  t.request('POST', '/api/registration/patients', body, { 'x-request-id': requestId });

test('a registration becomes a ledgered FHIR Patient with a UHID, phone, address, guardian, ABHA and photo', async () => {
  const res = await register(form());
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const p = res.body;
  assert.equal(p.resourceType, 'Patient');
  const uhid = p.identifier.find((i: any) => i.system === UHID_SYSTEM);
  assert.match(uhid.value, /^1\d{3}-\d{4}-\d{4}$/);
  assert.equal(uhid.type.coding[0].code, 'MR');
  assert.deepEqual(p.identifier.find((i: any) => i.system === 'https://healthid.ndhm.gov.in').value, '12-3456-7890-1234');
  assert.deepEqual(p.name[0], { use: 'official', family: 'Sharma', given: ['Anita'] });
  assert.equal(p.gender, 'female');
  assert.equal(p.birthDate, '1987-04-12');
  assert.equal(p._birthDate, undefined, 'a told birth date is not estimated');
  assert.deepEqual(p.telecom, [{ system: 'phone', value: '+919876543210', use: 'mobile' }]);
  assert.equal(p.address[0].postalCode, '110029');
  assert.equal(p.contact[0].relationship[0].coding[0].code, 'FTH');
  assert.equal(p.contact[0].telecom[0].value, '+919123456789');
  assert.equal(p.photo[0].contentType, 'image/png');
  assert.deepEqual(t.lastAccess, { interaction: 'create', resourceType: 'Patient', patients: [`Patient/${p.id}`] }, 'the audit trail names the patient');
  // Through the repository: readable over FHIR and in the ledger under the clerk's name.
  const read = await t.request('GET', `/fhir/R4/Patient/${p.id}`);
  assert.equal(read.status, 200);
  const [entry] = await t.database.admin.query<{ body: string }>(
    "SELECT body::text AS body FROM ledger_entry WHERE hospital_id = 'reg-test' ORDER BY seq DESC LIMIT 1");
  assert.match(entry.body, /user:test-clerk/);
  assert.match(entry.body, new RegExp(p.id));
});

test('an age instead of a birth date gives an estimated birth date, flagged', async () => {
  const res = await register(form({ birthDate: undefined, ageYears: 34, ageMonths: 3, abha: undefined }));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.birthDate, dateBefore(todayInIndia(), 34, 3));
  assert.deepEqual(res.body._birthDate.extension, [{ url: ESTIMATED_BIRTH_DATE_EXTENSION, valueBoolean: true }]);
});

test('a double-clicked submit (10 requests, one X-Request-Id) makes one patient', async () => {
  const requestId = randomUUID();
  const body = form({ name: { text: 'Double Click Patient' }, abha: undefined });
  const results = await Promise.all(Array.from({ length: 10 }, () => register(body, requestId)));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  const ids = new Set(results.map((r) => r.body.id));
  assert.equal(ids.size, 1);
  const search = await t.request('GET', '/fhir/R4/Patient?name=double%20click');
  assert.equal(search.body.entry.filter((e: any) => e.search.mode === 'match').length, 1);
});

test('a registration needs an X-Request-Id', async () => {
  const res = await t.request('POST', '/api/registration/patients', form());
  assert.equal(res.status, 400);
  assert.deepEqual(fieldsNamed(res.body), ['X-Request-Id']);
});

test('each bad field is a 400 naming it, and nothing is written', async () => {
  const future = dateBefore(todayInIndia(), -1);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ birthDate: future }, 'birthDate'],
    [{ birthDate: '1987-02-30' }, 'birthDate'],
    [{ birthDate: '1850-01-01' }, 'birthDate'],
    [{ birthDate: undefined, ageYears: 131 }, 'ageYears'],
    [{ birthDate: undefined, ageYears: 30, ageMonths: 12 }, 'ageMonths'],
    [{ birthDate: undefined }, 'birthDate'],
    [{ ageYears: 30 }, 'birthDate'],
    [{ phone: '12345' }, 'phone'],
    [{ phone: '5876543210' }, 'phone'],
    [{ phone: '+91 98765 4321x' }, 'phone'],
    [{ address: { city: 'Delhi', pincode: '11002' } }, 'address.pincode'],
    [{ address: { city: 'Delhi', pincode: '011002' } }, 'address.pincode'],
    [{ abha: '1234-5678-9012' }, 'abha'],
    [{ name: { given: '', family: ' ' } }, 'name'],
    [{ name: undefined }, 'name'],
    [{ sex: 'M' }, 'sex'],
    [{ guardian: { name: 'X', phone: '999' } }, 'guardian.phone'],
    [{ photo: Buffer.from('GIF89a....').toString('base64') }, 'photo'],
    [{ photo: Buffer.alloc(210 * 1024, 0xff).toString('base64') }, 'photo'],
    [{ uhid: '1000-0000-00' }, 'uhid'],
  ];
  const before = await t.database.admin.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entry');
  for (const [change, field] of cases) {
    const res = await register(form(change));
    assert.equal(res.status, 400, `${JSON.stringify(change)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(fieldsNamed(res.body), [field], JSON.stringify(change));
  }
  const several = await register(form({ phone: '1', sex: 'x', address: { pincode: '1' } }));
  assert.deepEqual(fieldsNamed(several.body).sort(), ['address.pincode', 'phone', 'sex']);
  const afterCount = await t.database.admin.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entry');
  assert.equal(afterCount[0].n, before[0].n);
});

test("a UHID from the desk's block is used; one from no issued block is a 422 naming identifier", async () => {
  const block = (await t.request('POST', '/api/registration/uhid-blocks', { desk: 'counter-9', size: 5 })).body;
  const mine = uhidOf(block.firstSerial + 2);
  const ok = await register(form({ uhid: mine.replaceAll('-', ' '), name: { text: 'Desk Uhid' }, abha: undefined }));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.identifier[0].value, mine);

  const unissued = uhidOf(99_000_000_000);
  const refused = await register(form({ uhid: unissued }));
  assert.equal(refused.status, 422);
  assert.deepEqual(fieldsNamed(refused.body), ['identifier']);

  const again = await register(form({ uhid: mine, name: { text: 'Someone Else' }, abha: undefined }));
  assert.equal(again.status, 409, 'the same UHID twice is a conflict, not a second patient');
});
