/**
 * The registration desk's own UHIDs in real Chromium against the real server: the desk gets a block
 * while online; offline, a new patient is numbered at once from it (a valid UHID, the outbox holding
 * the registration); back online the outbox drains and the server's Patient carries exactly that UHID.
 * Then the figures page counts the day's registrations.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { parseUhid } from '../../src/departments/registration/uhid.js';
import { createDeskAccounts, ensureWebBuilt, openDeskBrowser, type DeskBrowser } from './support/desk-browser.js';
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/server.js';
import { UHID_SYSTEM } from '../../web/src/desks/registration/registration-form.js';

const CLERK = { username: 'clerk.meena', displayName: 'Meena Joshi', password: 'counter two lamp 4871' };

let server: TestServer;
let browser: DeskBrowser | undefined;
let context: BrowserContext;
let page: Page;
let problems: string[] = [];

before(async () => {
  await ensureWebBuilt();
  server = await startTestServer();

  await createDeskAccounts(server, [{ username: CLERK.username, displayName: CLERK.displayName, role: 'registration-clerk', password: CLERK.password }]);

  browser = await openDeskBrowser();
  ({ context, page, problems } = browser);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const pending = () => page.getByTestId('outbox-pending');
const pendingIs = (n: number) => page.waitForFunction((text) => document.querySelector('[data-testid="outbox-pending"]')?.textContent === text, String(n));
let deskUhid = '';

async function fill(given: string, family: string, sex: string, age: string) {
  await page.getByLabel('Given name').fill(given);
  await page.getByLabel('Family name').fill(family);
  await page.getByLabel('Sex').selectOption(sex);
  await page.getByLabel('or age').fill(age);
  const confirm = page.getByLabel(/register a new patient/);
  if (await confirm.isVisible()) await confirm.check();
}

test('signed in, the desk shows its id and gets a block of UHIDs', async () => {
  await page.goto(`${server.server.url}/`);
  await page.getByLabel('Username').fill(CLERK.username);
  await page.getByLabel('Password').fill(CLERK.password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'New registration' }).waitFor();
  const desk = (await page.getByTestId('desk-id').innerText()).trim();
  assert.match(desk, /^desk-[0-9a-f]{12}$/);
  await page.getByTestId('uhid-stock').filter({ hasText: /\d+ UHIDs in hand/ }).waitFor();
  const res = await fetch(`${server.server.url}/api/registration/uhid-blocks?desk=${desk}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  const blocks = await res.json() as { blocks: Array<{ desk: string }> };
  assert.equal(res.status, 200, JSON.stringify(blocks));
  assert.equal(blocks.blocks.length, 1, 'one block issued to this desk');
});

test('offline, a new patient gets a valid UHID at once from the block; back online the Patient carries it', async () => {
  await fill('Lakshmi', 'Naidu', 'female', '37');
  await context!.setOffline(true);
  try {
    await page.getByTestId('register').click();
    deskUhid = (await page.getByTestId('uhid').innerText()).trim();
    assert.ok('serial' in parseUhid(deskUhid), `the UHID shown offline is valid: ${deskUhid}`);
    assert.match(deskUhid, /^\d{4}-\d{4}-\d{4}$/);
    await pendingIs(1);
    assert.equal(await pending().innerText(), '1');
    await page.getByTestId('queued').waitFor();
    assert.match(await page.getByTestId('outbox').innerText(), /offline|retrying/);
    assert.equal((await server.request('GET', '/Patient?family=Naidu')).body.entry?.length ?? 0, 0, 'nothing reached the server');
  } finally {
    await context!.setOffline(false);
  }
  await pendingIs(0);
  await page.getByRole('link', { name: 'Print registration slip' }).waitFor({ timeout: 20_000 });
  assert.equal((await page.getByTestId('uhid').innerText()).trim(), deskUhid, 'the UHID on screen did not change');
  const found = await server.request('GET', `/Patient?identifier=${encodeURIComponent(`${UHID_SYSTEM}|${deskUhid}`)}`);
  assert.equal(found.body.entry?.length, 1, 'exactly one Patient has the UHID the desk gave');
  assert.equal(found.body.entry[0].resource.name[0].family, 'Naidu');
  await page.getByRole('button', { name: 'Next patient' }).click();
});

test('the next registration takes the next serial, never the same one again', async () => {
  await fill('Arjun', 'Pillai', 'male', '29');
  await page.getByTestId('register').click();
  await page.getByRole('link', { name: 'Print registration slip' }).waitFor({ timeout: 20_000 });
  const next = (await page.getByTestId('uhid').innerText()).trim();
  const a = parseUhid(deskUhid);
  const b = parseUhid(next);
  assert.ok('serial' in a && 'serial' in b);
  assert.equal(b.serial, a.serial + 1);
  await pendingIs(0);
  await page.getByRole('button', { name: 'Next patient' }).click();
});

test('with no UHIDs in hand and the server unreachable, the desk says so and still queues the registration', async () => {
  await page.route('**/api/registration/uhid-blocks', (route) => route.abort());
  try {
    // Empty this desk's store, as on a desk that never reached the server.
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('nirantar-uhid-blocks');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('desks', 'readwrite');
        tx.objectStore('desks').clear();
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    });
    await fill('Farida', 'Begum', 'female', '61');
    await context!.setOffline(true);
    try {
      await page.getByTestId('register').click();
      await pendingIs(1);
      await page.getByTestId('queued').filter({ hasText: 'No UHIDs in hand: the registration will get its UHID when the server answers' }).waitFor();
    } finally {
      await context!.setOffline(false);
    }
    await page.getByRole('link', { name: 'Print registration slip' }).waitFor({ timeout: 20_000 });
    const uhid = (await page.getByTestId('uhid').innerText()).trim();
    assert.ok('serial' in parseUhid(uhid), `the server numbered the patient: ${uhid}`);
    await pendingIs(0);
    await page.getByRole('button', { name: 'Next patient' }).click();
  } finally {
    await page.unroute('**/api/registration/uhid-blocks');
  }
});

test('the figures page counts the day\'s registrations', async () => {
  await page.getByRole('link', { name: 'Figures' }).click();
  await page.getByRole('heading', { name: 'Figures' }).waitFor();
  await page.getByTestId('figures-registrations').filter({ hasText: /^3$/ }).waitFor();
  assert.equal((await page.getByTestId('figures-visits').innerText()).trim(), '0');
  assert.match(await page.getByTestId('figures-departments').innerText(), /No visits on this day/);
  await page.getByLabel('Date').fill('2024-01-01');
  await page.getByTestId('figures-registrations').filter({ hasText: /^0$/ }).waitFor();
});

test('the page ran without errors', async () => {
  // /auth/me answers 401 before the sign-in; nothing else may fail.
  assert.deepEqual(problems.filter((p) => p !== '401 /auth/me'), []);
});
