/**
 * The laboratory end to end in real Chromium (Debian's, driven by playwright-core) against the real
 * server over the seeded demo hospital. A doctor orders serum electrolytes and a random blood sugar,
 * stat, for one patient and a routine test for another (through the API, signed in as the doctor);
 * the lab technician finds the stat patient first at phlebotomy, draws, prints a label; receives
 * both tubes by scanning their accessions; enters the results by keyboard alone (a critical
 * potassium among them) and sees the flags; validates; the pathologist authorises, opens the report
 * PDF and amends a value with a reason; the doctor acknowledges the critical value; the turnaround
 * board counts it all. Every write in the browser goes through the outbox.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { LabOrderReply, ReportView, SpecimenView } from '../../src/departments/lab/lab-api.js';
import { seedDemoHospital } from '../../src/hospital/seed/seed-hospital.js';
import { createDeskAccounts, ensureWebBuilt, openDeskBrowser, type DeskBrowser } from './support/desk-browser.js';
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/server.js';
import { bearerApi, sessionApi } from './support/server-api.js';

const LABTECH = { username: 'lab.rahul', displayName: 'Rahul Gupta', role: 'lab-technician', password: 'centrifuge lamp 4417', practitioner: 'Practitioner/rahul-gupta' } as const;
const PATHOLOGIST = {
  username: 'dr.fatima', displayName: 'Dr. Fatima Siddiqui', role: 'pathologist', password: 'microscope lamp 6203', practitioner: 'Practitioner/dr-fatima-siddiqui',
} as const;
const DOCTOR = {
  username: 'dr.anita', displayName: 'Dr. Anita Rao', role: 'doctor', password: 'stethoscope lamp 9920',
  department: 'dept-general-medicine', practitioner: 'Practitioner/dr-anita-rao',
} as const;
const DEPARTMENT = 'general-medicine';

let server: TestServer;
let browser: DeskBrowser | undefined;
let page: Page;
let problems: string[] = [];
/** What the steps hand on to the next. */
const flow: { statPatient?: string; routinePatient?: string; accessions?: string[]; rejectAccession?: string } = {};

const api = bearerApi(() => server.server.url, TEST_TOKEN);

/** The API as a signed-in person (the session cookie), so the server sees who did it. */
const apiAs = (account: { username: string; password: string }) => sessionApi(server.server.url, account);

/** A registered patient checked in at the doctor's OPD: the visit the doctor orders under. */
async function patientWithVisit(given: string, family: string, sex: string, ageYears: number): Promise<{ id: string; visit: string }> {
  const patient = await api('POST', '/api/registration/patients', { name: { given, family }, sex, ageYears });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  const visit = await api('POST', '/api/opd/check-in', { patient: `Patient/${patient.body.id}`, department: DEPARTMENT });
  assert.equal(visit.status, 201, JSON.stringify(visit.body));
  return { id: patient.body.id, visit: visit.body.visit };
}

before(async () => {
  await ensureWebBuilt();
  server = await startTestServer();
  await seedDemoHospital(server.server.repo, server.server.hospitalId);
  await createDeskAccounts(server, [LABTECH, PATHOLOGIST, DOCTOR]);
  // Dr. Rao's OPD every day of the week, so the patients can be checked in whatever day the test runs.
  const schedule = await api('POST', '/api/opd/schedules', {
    practitioner: 'dr-anita-rao', department: DEPARTMENT, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59', slotMinutes: 5,
  });
  assert.ok(schedule.status === 200 || schedule.status === 201, `schedule: ${schedule.status} ${JSON.stringify(schedule.body)}`);
  browser = await openDeskBrowser();
  ({ page, problems } = browser);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const outboxEmpty = () => page.waitForFunction(() => document.querySelector('[data-testid="outbox-pending"]')?.textContent === '0');
const navLinks = () => page.getByRole('navigation', { name: 'Desks' }).getByRole('link').allInnerTexts();
const focusedTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.getAttribute('name'));

async function signIn(account: { username: string; password: string }, lands: string) {
  await page.goto(`${server.server.url}/`); // each role starts at its first desk
  // The app asks the server who is signed in before it shows either button.
  const signIn = page.getByRole('button', { name: 'Sign in' });
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await signIn.or(signOut).waitFor();
  if (await signOut.isVisible()) await signOut.click();
  await signIn.waitFor();
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL((url) => url.pathname === lands, { timeout: 8000 }).catch(async (err) => {
    throw new Error(`${err}\n${page.url()}\n${await page.locator('body').innerText()}`);
  });
  await page.getByRole('navigation', { name: 'Desks' }).getByRole('link').first().waitFor();
}

/** The desk's notice says `text`; else the test fails with what the desk said instead (a refusal, say). */
async function noticeSays(text: string | RegExp) {
  await page.getByTestId('notice').filter({ hasText: text }).waitFor({ timeout: 15_000 }).catch(async (err) => {
    const said = await page.locator('[data-testid="notice"], [role="alert"]').allInnerTexts().catch(() => []);
    throw new Error(`the desk did not say ${String(text)}; it said: ${JSON.stringify(said)} (${err})`);
  });
}

const waitForListLength = (testId: string, length: number) =>
  page.waitForFunction(([id, n]) => document.querySelectorAll(`[data-testid="${id}"] > li`).length === n, [testId, length] as const);

/** NIRANTAR_SCREENSHOTS=<dir>: a 1366×768 picture of each desk, to look at the layout. */
const shot = async (name: string) => {
  if (process.env.NIRANTAR_SCREENSHOTS) await page.screenshot({ path: join(process.env.NIRANTAR_SCREENSHOTS, `lab-${name}.png`) });
};

/** GET a file in the page, with the session: status, type and the first bytes. */
const fetchInPage = (href: string) => page.evaluate(async (url) => {
  const res = await fetch(url, { credentials: 'same-origin' });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', head: String.fromCharCode(...bytes.subarray(0, 5)), length: bytes.length };
}, href);

test('a doctor orders through the API: a routine test for one patient, then electrolytes and a blood sugar, stat, for another', async () => {
  const doctor = await apiAs(DOCTOR);
  const routine = await patientWithVisit('Bhola', 'Nath', 'male', 60);
  const stat = await patientWithVisit('Kamla', 'Devi', 'female', 55);
  const first = await doctor('POST', '/api/lab/orders', { patient: routine.id, encounter: routine.visit, tests: ['lab-hba1c'], priority: 'routine' });
  assert.equal(first.status, 201, `POST /api/lab/orders: ${first.status} ${JSON.stringify(first.body)}`);
  const ordered = await doctor('POST', '/api/lab/orders', { patient: stat.id, encounter: stat.visit, tests: ['lab-electrolytes', 'lab-glucose-random'], priority: 'stat' });
  assert.equal(ordered.status, 201, JSON.stringify(ordered.body));
  assert.deepEqual((ordered.body as LabOrderReply).orders.map((o) => o.test).sort(), ['lab-electrolytes', 'lab-glucose-random']);
  flow.statPatient = stat.id;
  flow.routinePatient = routine.id;
});

test('phlebotomy: the stat patient heads the list; the tubes to draw; "Collected" gives accessions and printable labels', async () => {
  assert.ok(flow.statPatient, 'the orders were placed');
  await signIn(LABTECH, '/lab/phlebotomy');
  assert.deepEqual(await navLinks(), ['Phlebotomy', 'Sample receipt', 'Bench', 'Validation', 'Device review', 'Lab reports', 'Critical values', 'Lab turnaround', 'Queue board'],
    'the desks of a lab technician');
  const list = page.getByTestId('phlebotomy-list').getByRole('button');
  await list.nth(1).waitFor();
  assert.match(await list.first().innerText(), /STAT[\s\S]*Kamla Devi/, 'stat first, though ordered after the routine one');
  assert.match(await list.nth(1).innerText(), /Bhola Nath/);

  // The first patient has the focus: Enter picks, and the focus is on "Collected".
  await page.waitForFunction(() => document.activeElement?.closest('[data-testid="phlebotomy-list"]') !== null);
  await page.keyboard.press('Enter');
  const tubes = page.getByTestId('tubes').locator('tbody tr');
  await tubes.nth(1).waitFor();
  const tubeText = (await tubes.allInnerTexts()).join('\n');
  assert.match(tubeText, /Gold[\s\S]*Serum electrolytes/);
  assert.match(tubeText, /Grey[\s\S]*Blood sugar, random/);
  assert.equal(await focusedTestId(), 'collect');
  await shot('phlebotomy');
  await page.keyboard.press('Enter');

  await page.getByTestId('collected').waitFor();
  await outboxEmpty();
  flow.accessions = (await page.getByTestId('accession').allInnerTexts()).map((a) => a.trim());
  assert.equal(flow.accessions.length, 2, 'one tube per container');
  const label = await page.getByTestId('print-label').first().getAttribute('href');
  assert.ok(label, 'a label link');
  const pdf = await fetchInPage(label);
  assert.equal(pdf.status, 200);
  assert.match(pdf.type, /application\/pdf/);
  assert.equal(pdf.head.slice(0, 4), '%PDF');
  // The collected patient left the list; the routine one is still waiting, and is drawn next.
  await page.getByTestId('phlebotomy-list').getByText('Kamla Devi').waitFor({ state: 'detached' });
  await page.getByTestId('phlebotomy-list').getByRole('button').filter({ hasText: 'Bhola Nath' }).click();
  await page.getByTestId('tubes').getByText('Lavender', { exact: true }).waitFor();
  await page.getByTestId('collect').click();
  await page.getByTestId('collected').getByText(/HbA1c/).waitFor();
  await outboxEmpty();
  flow.rejectAccession = (await page.getByTestId('accession').innerText()).trim();
  await page.getByText('Nobody is waiting for a sample.').waitFor();
});

test('sample receipt: each tube is scanned (the accession typed, then Enter) and received with Enter; a haemolysed one is rejected', async () => {
  assert.equal(flow.accessions?.length, 2, 'the tubes were collected');
  await page.keyboard.press('Alt+s');
  await page.waitForURL((url) => url.pathname === '/lab/receipt');
  // A digit misread: caught at the desk by the check digit, nothing asked of the server.
  const [first] = flow.accessions!;
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'accession');
  await page.keyboard.type(first.slice(0, 10) + String((Number(first[10]) + 1) % 10));
  await page.keyboard.press('Enter');
  await noticeSays('does not check out');
  // Scanned, then (without Enter) the other tube scanned over it: the second scan wins, nothing is received by mistake.
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'accession');
  await page.keyboard.type(flow.accessions![1]);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'receive');
  for (const accession of flow.accessions!) {
    await page.keyboard.type(accession);
    await page.keyboard.press('Enter');
    await page.getByTestId('scanned-accession').filter({ hasText: accession }).waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'receive');
    await page.keyboard.press('Enter');
    await noticeSays(`${accession} received`);
    await outboxEmpty();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'accession');
  }
  const done = await page.getByTestId('receipt-done').locator('li .accession-small').allInnerTexts();
  assert.deepEqual(done, [...flow.accessions!].reverse(), 'received in the order scanned (newest first), the over-scanned tube not by mistake');
  // Scanned again: already received, said so; nothing queued.
  await page.keyboard.type(flow.accessions![0]);
  await page.keyboard.press('Enter');
  await noticeSays('is already received');
  await shot('receipt');
  const specimen = await api('GET', `/api/lab/specimens?accession=${encodeURIComponent(flow.accessions![0])}`);
  assert.equal((specimen.body as SpecimenView).status, 'received');

  // The routine patient's tube arrives haemolysed: rejected with the reason and a note.
  await page.keyboard.type(flow.rejectAccession!);
  await page.keyboard.press('Enter');
  await page.getByTestId('scanned-accession').filter({ hasText: flow.rejectAccession! }).waitFor();
  await page.getByRole('button', { name: 'Reject…' }).click();
  await page.getByLabel('Reason').selectOption('haemolysed');
  // (by role: the reason's label also holds its options' words, "Other (see note)" among them)
  await page.getByRole('textbox', { name: 'Note' }).fill('Pink serum after spinning');
  await page.getByRole('textbox', { name: 'Note' }).press('Enter');
  await noticeSays(`${flow.rejectAccession} rejected (Haemolysed)`);
  await outboxEmpty();
  const rejected = await api('GET', `/api/lab/specimens?accession=${flow.rejectAccession}`);
  assert.equal((rejected.body as SpecimenView).status, 'rejected');
  assert.equal((rejected.body as SpecimenView).rejection?.reason, 'haemolysed');
  // Its order is back on the phlebotomy list, saying why.
  await page.keyboard.press('Alt+p');
  await page.waitForURL((url) => url.pathname === '/lab/phlebotomy');
  await page.getByTestId('phlebotomy-list').getByRole('button').filter({ hasText: 'Bhola Nath' }).click();
  await page.getByTestId('phlebotomy-patient').getByText(/recollect/).waitFor();
});

test('the bench: results typed by keyboard alone, checked as typed; the server\'s flags shown after saving, the critical potassium highlighted', async () => {
  await page.keyboard.press('Alt+b');
  await page.waitForURL((url) => url.pathname === '/lab/bench');
  await page.getByTestId('bench-list').getByRole('button').nth(1).waitFor();
  assert.equal(await page.getByTestId('bench-list').getByRole('button').count(), 2, 'the two received tubes; not the rejected one');
  const list = page.getByTestId('bench-list').getByRole('button');
  await list.nth(1).waitFor();
  await list.filter({ hasText: 'Serum electrolytes' }).click();
  const entry = page.getByTestId('result-entry');
  await entry.waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'sodium');
  assert.match(await entry.innerText(), /Potassium[\s\S]*mmol\/L[\s\S]*3\.5/, 'unit and reference interval beside the input');

  // A slip is caught as it is typed, and the technician corrects it in place.
  await page.keyboard.type('14o');
  await entry.getByRole('alert').filter({ hasText: 'A number only' }).waitFor();
  await page.keyboard.press('Backspace');
  await page.keyboard.type('0');
  await entry.getByRole('alert').waitFor({ state: 'detached' });
  await page.keyboard.press('Enter');
  assert.equal(await focusedTestId(), 'potassium', 'Enter moves to the next value');
  await page.keyboard.type('7.0');
  await page.keyboard.press('Tab');
  await page.keyboard.type('101');
  await shot('bench');
  await page.keyboard.press('Enter'); // the last value: Enter saves
  await noticeSays(/Critical: Potassium 7\.0/);
  await outboxEmpty();
  const flags = await entry.getByTestId('flag').allInnerTexts();
  assert.deepEqual(flags.map((f) => f.trim()), ['', 'HH critical', ''], 'sodium and chloride normal, potassium critically high');
  assert.equal(await entry.locator('tr.critical-row').count(), 1);

  await list.filter({ hasText: 'Blood sugar' }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'glucose-random');
  await page.keyboard.type('182');
  await page.keyboard.press('Enter');
  await noticeSays('Saved. The results wait for validation.');
  await outboxEmpty();
  assert.equal((await page.getByTestId('result-entry').getByTestId('flag').innerText()).trim(), 'H');
  await page.getByText('No specimen waits for results.').waitFor();
});

test('validation: the technician opens each report and validates it with Enter; the next one opens by itself', async () => {
  await page.keyboard.press('Alt+v');
  await page.waitForURL((url) => url.pathname === '/lab/validation');
  const list = page.getByTestId('review-list').getByRole('button');
  await list.nth(1).waitFor();
  await list.first().click();
  for (let left = 1; left >= 0; left--) {
    await page.getByTestId('report-detail').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'review-act');
    if (left === 1) await shot('validation');
    await page.keyboard.press('Enter');
    await noticeSays('validated');
    await waitForListLength('review-list', left);
    await outboxEmpty();
  }
  await page.getByText('Nothing waits for validation.').waitFor();
});

test('the pathologist authorises both reports, opens the report PDF and amends a released value with a reason', async () => {
  await signIn(PATHOLOGIST, '/lab/authorisation');
  assert.deepEqual(await navLinks(), ['Authorisation', 'Device review', 'Lab reports', 'Critical values', 'Lab turnaround', 'Queue board'], 'the desks of a pathologist');
  const list = page.getByTestId('review-list').getByRole('button');
  await list.nth(1).waitFor();
  await list.first().click();
  const authorised: string[] = [];
  for (let left = 1; left >= 0; left--) {
    await page.getByTestId('report-detail').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'review-act');
    authorised.push((await page.getByTestId('report-detail').innerText()).includes('Potassium') ? 'electrolytes' : 'glucose');
    await page.keyboard.press('Enter');
    await noticeSays('authorised and released');
    await waitForListLength('review-list', left);
    await outboxEmpty();
  }
  assert.deepEqual(authorised.sort(), ['electrolytes', 'glucose']);
  await page.getByText('Nothing waits for authorisation.').waitFor();

  const reports = await api('GET', `/api/lab/reports?patient=${flow.statPatient}`);
  assert.equal(reports.status, 200, JSON.stringify(reports.body));
  assert.deepEqual((reports.body as ReportView[]).map((r) => r.status).sort(), ['final', 'final']);

  await page.keyboard.press('Alt+l');
  await page.waitForURL((url) => url.pathname === '/lab/reports');
  await page.getByTestId('reports-list').getByRole('button').filter({ hasText: 'Serum electrolytes' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'Authorised' }).waitFor();
  const href = await page.getByTestId('report-pdf').getAttribute('href');
  assert.ok(href, 'a report link');
  const pdf = await fetchInPage(href);
  assert.equal(pdf.status, 200, `GET ${href}`);
  assert.match(pdf.type, /application\/pdf/);
  assert.equal(pdf.head.slice(0, 4), '%PDF');
  assert.ok(pdf.length > 500, `a real PDF (${pdf.length} bytes)`);

  await page.getByTestId('amend-open').click();
  await page.getByLabel(/^Chloride/).fill('103');
  await page.getByLabel('Reason for the amendment').fill('Transcription error: the analyzer printout reads 103');
  await page.getByTestId('amend-save').click();
  await noticeSays('Amended');
  await outboxEmpty();
  await page.getByTestId('report-status').filter({ hasText: 'Amended' }).waitFor();
  await page.getByRole('list', { name: 'Amendments' }).getByText(/Transcription error/).waitFor();
  await shot('reports');
});

test('the doctor sees the critical potassium sent to them, acknowledges it and reads the report', async () => {
  await signIn(DOCTOR, '/doctor');
  await page.keyboard.press('Alt+c');
  await page.waitForURL((url) => url.pathname === '/lab/critical');
  const alert = page.getByTestId('critical-alerts').locator('li').filter({ hasText: 'Kamla Devi' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /potassium[\s\S]*7\.0/i);
  await alert.getByRole('textbox').fill('Repeat K+ sent; ECG done');
  await shot('critical');
  await alert.getByTestId('acknowledge').click();
  await noticeSays('acknowledged');
  await outboxEmpty();
  await page.getByText('No unacknowledged critical values.').waitFor();
  const alerts = await api('GET', '/api/lab/critical-alerts?status=all');
  assert.equal(alerts.status, 200, JSON.stringify(alerts.body));
  assert.ok((alerts.body as Array<{ status: string; analyte: string }>).some((a) => a.status === 'acknowledged'), JSON.stringify(alerts.body));

  // The doctor reads the released (and amended) report at the lab reports desk.
  await page.keyboard.press('Alt+l');
  await page.waitForURL((url) => url.pathname === '/lab/reports');
  await page.getByTestId('reports-list').getByRole('button').filter({ hasText: 'Serum electrolytes' }).click();
  await page.getByTestId('report-status').filter({ hasText: 'Amended' }).waitFor();
  assert.equal(await page.getByTestId('amend-open').count(), 0, 'only a pathologist amends');
});

test('the turnaround board counts the day: stages with times, what is still pending', async () => {
  await signIn(PATHOLOGIST, '/lab/authorisation');
  await page.keyboard.press('Alt+t');
  await page.waitForURL((url) => url.pathname === '/lab/tat');
  await page.getByTestId('tat-stages').waitFor();
  const tat = await api('GET', '/api/lab/tat');
  assert.equal(tat.status, 200, JSON.stringify(tat.body));
  // The routine HbA1c's sample was rejected: it is pending collection again.
  assert.ok(tat.body.pending.collection >= 1, JSON.stringify(tat.body.pending));
  assert.equal((await page.getByTestId('tat-pending-collection').innerText()).trim(), String(tat.body.pending.collection));
  const total = page.getByTestId('tat-stages').locator('tr.total');
  assert.match(await total.innerText(), /\b2\b/, 'two reports authorised');
  await shot('tat');
});

test('the lab desks ran under the Content-Security-Policy without unexpected errors', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  assert.deepEqual(problems.filter((p) => p !== '401 /auth/me'), []);
});
