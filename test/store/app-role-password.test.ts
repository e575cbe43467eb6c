/**
 * The machine's PostgreSQL trusts local connections, so passwords are only really checked on the
 * embedded server (scram-sha-256): that is where the app role's password is tested.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureAppRole } from '../../src/store/app-role.js';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/store/embedded-postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { makeDataDir, removeDataDir } from './embedded-test-support.js';

describe('app role password on the embedded server', { timeout: 60_000 }, () => {
  let dir: string;
  let server: EmbeddedServer;
  let admin: Database;
  before(async () => {
    dir = await makeDataDir();
    server = await startEmbeddedPostgres(dir);
    admin = connectDatabase(server.adminUrl, { max: 2 });
    await migrate(admin);
  });
  after(async () => {
    await admin?.close();
    await server?.stop();
    if (dir) await removeDataDir(dir);
  });

  test('works with the returned password; each call replaces it; a wrong one is refused', async () => {
    const firstUrl = await ensureAppRole(admin, server.adminUrl);
    assert.equal(new URL(firstUrl).username, 'nirantar_app_nirantar');
    assert.deepEqual(await query(firstUrl, 'SELECT current_user AS u'), [{ u: 'nirantar_app_nirantar' }]);

    const secondUrl = await ensureAppRole(admin, server.adminUrl);
    assert.deepEqual(await query(secondUrl, 'SELECT 1 AS one'), [{ one: 1 }]);
    await assert.rejects(query(firstUrl, 'SELECT 1'), /password authentication failed/);

    // The server stores only a SCRAM verifier, never the password itself.
    const [{ rolpassword }] = await admin.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'nirantar_app_nirantar'");
    assert.match(rolpassword, /^SCRAM-SHA-256\$4096:/);
    assert.ok(!rolpassword.includes(new URL(secondUrl).password));
  });
});

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = connectDatabase(url, { max: 1 });
  try {
    return await db.query(sql);
  } finally {
    await db.close();
  }
}
