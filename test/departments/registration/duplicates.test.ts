import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startRegistrationApp, type RegistrationApp } from './registration-app.js';

let t: RegistrationApp;
const ids: Record<string, string> = {};

async function register(key: string, body: Record<string, unknown>) {
  const res = await t.request('POST', '/api/registration/patients', body, { 'x-request-id': randomUUID() });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  ids[key] = res.body.id;
}

before(async () => {
  t = await startRegistrationApp();
  await register('laxmi', { name: { given: 'Laxmi', family: 'Chowdhury' }, sex: 'female', birthDate: '1984-06-02', phone: '9876500001' });
  // Same name, another person: a man, and a woman born thirty years later.
  await register('laxmiMale', { name: { given: 'Laxmi', family: 'Chowdhury' }, sex: 'male', birthDate: '1984-06-02', phone: '9876500002' });
  await register('laxmiYoung', { name: { given: 'Laxmi', family: 'Chowdhury' }, sex: 'female', birthDate: '2014-01-20' });
  // Shares the phone only (her husband, say).
  await register('husband', { name: { given: 'Suresh', family: 'Chowdhury' }, sex: 'male', birthDate: '1980-03-03', phone: '9876500001' });
  await register('unrelated', { name: { given: 'Imran', family: 'Qureshi' }, sex: 'male', birthDate: '1990-09-09', phone: '9876500003' });
  for (let i = 0; i < 15; i++) {
    await register(`filler${i}`, { name: { given: ['Meera', 'Priya', 'Kavya'][i % 3], family: 'Chaudhary' }, sex: 'female', birthDate: `19${60 + i}-01-01` });
  }
  await register('mohammed', { name: { text: 'Mohammed Rehman Khan' }, sex: 'male', birthDate: undefined, ageYears: 45 });
});
after(async () => { await t.close(); });

const duplicates = async (query: Record<string, string>) => {
  const res = await t.request('GET', `/api/registration/duplicates?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.candidates as Array<{ id: string; score: number; grade: string; reasons: string[]; uhid: string }>;
};

test('Patient?phonetic= finds a name however it is spelt', async () => {
  const res = await t.request('GET', '/fhir/R4/Patient?phonetic=Lakshmi%20Choudhary');
  const found = res.body.entry.map((e: any) => e.resource.id);
  assert.ok(found.includes(ids.laxmi) && found.includes(ids.laxmiMale) && found.includes(ids.laxmiYoung));
  assert.ok(!found.includes(ids.husband));
  const family = await t.request('GET', '/fhir/R4/Patient?phonetic=chaudhari&_count=100');
  assert.ok(family.body.entry.length >= 19, 'all the Chowdhurys and Chaudharys');
  const partial = await t.request('GET', '/fhir/R4/Patient?phonetic=muhammad%20rahman%20k');
  assert.deepEqual(partial.body.entry.map((e: any) => e.resource.id), [ids.mohammed]);
  const missing = await t.request('GET', '/fhir/R4/Patient?phonetic:missing=false&_count=1', undefined, { prefer: 'handling=strict' });
  assert.equal(missing.status, 200, JSON.stringify(missing.body));
  const noLetters = await t.request('GET', '/fhir/R4/Patient?phonetic=123', undefined, { prefer: 'handling=strict' });
  assert.equal(noLetters.status, 400);
  const word = await t.request('GET', '/fhir/R4/Patient?phonetic=rahman');
  assert.deepEqual(word.body.entry.map((e: any) => e.resource.id), [ids.mohammed], 'a word of a name given as text');
});

test('/duplicates ranks the near-identical patient first, with reasons, above namesakes of another sex or age', async () => {
  const found = await duplicates({ name: 'Lakshmi Choudhary', birthDate: '1984-06-02', phone: '+91 98765 00001', sex: 'female' });
  assert.equal(found[0].id, ids.laxmi);
  assert.equal(found[0].grade, 'certain');
  assert.ok(found[0].reasons.includes('same phone') && found[0].reasons.includes('name sounds alike') && found[0].reasons.includes('same date of birth'), found[0].reasons.join());
  assert.match(found[0].uhid, /^1\d{3}-\d{4}-\d{4}$/);
  const score = (key: string) => found.find((c) => c.id === ids[key])?.score ?? 0;
  assert.ok(score('laxmi') > score('laxmiMale'), 'a man of the same name scores lower');
  assert.ok(score('laxmi') > score('laxmiYoung'), 'a woman born 30 years later scores lower');
  assert.ok(score('laxmiMale') < 0.75, 'different sex is at most possible');
  assert.ok(score('laxmiYoung') < 0.5);
  assert.ok(score('laxmi') > score('husband'), 'a shared phone alone is a household, not a duplicate');
  assert.ok(!found.some((c) => c.id === ids.unrelated));
  assert.ok(found.length <= 10);
  assert.equal(t.lastAccess?.interaction, 'search');
  assert.deepEqual(new Set(t.lastAccess?.patients), new Set(found.map((c) => `Patient/${c.id}`)), 'the audit trail names every patient shown');
});

test('/duplicates works on a half-filled form and with an age', async () => {
  const byName = await duplicates({ name: 'Laxmi Chaudhari' });
  assert.ok(byName.some((c) => c.id === ids.laxmi));
  const byAge = await duplicates({ name: 'Mohd Rahman Khan', ageYears: '46', sex: 'male' });
  assert.equal(byAge[0].id, ids.mohammed);
  assert.ok(byAge[0].reasons.includes('age fits'), byAge[0].reasons.join());
  const initial = await duplicates({ name: 'L. Chowdhury', birthDate: '1984-06-02', sex: 'female' });
  assert.equal(initial[0].id, ids.laxmi);
  assert.deepEqual(await duplicates({}), []);
});

test('Patient/$match returns a searchset with scores and match grades', async () => {
  const parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'resource', resource: { resourceType: 'Patient', name: [{ given: ['Lakshmi'], family: 'Chaudhary' }], gender: 'female', birthDate: '1984-06-02', telecom: [{ system: 'phone', value: '09876500001' }] } },
      { name: 'count', valueInteger: 5 },
    ],
  };
  const res = await t.request('POST', '/fhir/R4/Patient/$match', parameters);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const bundle = res.body;
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.type, 'searchset');
  assert.ok(bundle.entry.length >= 1 && bundle.entry.length <= 5);
  // The namesakes of another sex or age, and the husband who shares the phone, are not matches.
  const others = new Set([ids.laxmiMale, ids.laxmiYoung, ids.husband]);
  assert.ok(bundle.entry.every((e: any) => !others.has(e.resource.id) || e.search.score < 0.75));
  const first = bundle.entry[0];
  assert.equal(first.resource.id, ids.laxmi);
  assert.equal(first.search.mode, 'match');
  assert.ok(first.search.score > 0.9 && first.search.score <= 1);
  assert.deepEqual(first.search.extension, [{ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'certain' }]);
  for (let i = 1; i < bundle.entry.length; i++) assert.ok(bundle.entry[i].search.score <= bundle.entry[i - 1].search.score);

  const certain = await t.request('POST', '/fhir/R4/Patient/$match', { ...parameters, parameter: [parameters.parameter[0], { name: 'onlyCertainMatches', valueBoolean: true }] });
  assert.deepEqual(certain.body.entry.map((e: any) => e.resource.id), [ids.laxmi]);

  const bad = await t.request('POST', '/fhir/R4/Patient/$match', { resourceType: 'Parameters', parameter: [] });
  assert.equal(bad.status, 400);
  const notPatient = await t.request('POST', '/fhir/R4/Observation/$match', parameters);
  // 404 (only Patient has $match), or 403 first for a role that may not search the type at all.
  assert.ok([403, 404].includes(notPatient.status), String(notPatient.status));
  t.role = 'admin';
  try {
    assert.equal((await t.request('POST', '/fhir/R4/Organization/$match', parameters)).status, 404);
  } finally {
    t.role = 'registration-clerk';
  }
});

test('a role that may not search patients gets no duplicates', async () => {
  t.role = 'lab-technician';
  try {
    const res = await t.request('GET', '/api/registration/duplicates?name=Laxmi');
    assert.equal(res.status, 200, 'the lab may search patients (to find whose sample it is)');
    t.role = null;
    assert.equal((await t.request('GET', '/api/registration/duplicates?name=Laxmi')).status, 403);
  } finally {
    t.role = 'registration-clerk';
  }
});
