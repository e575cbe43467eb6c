/**
 * What the browser tests share: the built app, desk accounts that are ready to sign in, and a
 * headless Debian Chromium (driven by playwright-core, never downloaded) at the desk screen size,
 * collecting every console error, failed response and page error so a test can assert there were none.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createAccountsContext } from '../../../src/security/accounts/accounts-context.js';
import { createAccount, type NewAccount } from '../../../src/security/accounts/admin-operations.js';
import type { TestServer } from '../../support/server.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Builds the browser app when web/dist is missing (npm install normally has). */
export async function ensureWebBuilt(): Promise<void> {
  if (existsSync('web/dist/index.html')) return;
  const { build } = await import('vite');
  await build({ root: 'web', logLevel: 'warn' });
}

/** Accounts an admin would have created, with the first-sign-in password change already done. */
export async function createDeskAccounts(server: TestServer, accounts: NewAccount[]): Promise<void> {
  const ctx = createAccountsContext({ db: server.server.store.app, hospitalId: server.server.hospitalId, secretKey: randomBytes(32) });
  for (const account of accounts) {
    await createAccount(ctx, account);
    await server.server.store.app.query('UPDATE user_account SET must_change_password = false WHERE username = $1', [account.username]);
  }
}

export interface DeskBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors, responses >= 400 and page errors, as they happened. */
  problems: string[];
  close(): Promise<void>;
}

export async function openDeskBrowser(): Promise<DeskBrowser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), 'nirantar-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) problems.push(message.text()); });
  page.on('response', (response) => { if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`); });
  page.on('pageerror', (error) => problems.push(error.message));
  return {
    context, page, problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
