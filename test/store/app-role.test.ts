import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APP_TABLE_PRIVILEGES, appRoleName, ensureAppRole } from '../../src/store/app-role.js';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.js';

const PERMISSION_DENIED = /permission denied for table ledger_entry/;
const TRIGGER_REFUSES = /the ledger is append-only/;

describe('ensureAppRole', () => {
  let scratch: ThrowawayDatabase;
  let admin: Database;
  let app: Database;
  let appUrl: string;

  before(async () => {
    scratch = await createThrowawayDatabase();
    admin = connectDatabase(scratch.url, { max: 2 });
    await migrate(admin);
    appUrl = await ensureAppRole(admin, scratch.url);
    app = connectDatabase(appUrl, { max: 2 });
  });
  after(async () => {
    await app?.close();
    await admin?.close();
    await scratch?.drop();
  });

  test('returns a URL for the per-database role on the same host, port and database', () => {
    const url = new URL(appUrl);
    const admin = new URL(scratch.url);
    assert.equal(url.username, appRoleName(scratch.name));
    assert.equal(url.host, admin.host);
    assert.equal(url.pathname, admin.pathname);
    assert.ok(url.password.length >= 40);
  });

  test('the role is a plain login role that owns no table', async () => {
    const [role] = await admin.query(
      'SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1',
      [appRoleName(scratch.name)]);
    assert.deepEqual(role, { rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
    const owned = await admin.query('SELECT tablename FROM pg_tables WHERE tableowner = $1', [appRoleName(scratch.name)]);
    assert.deepEqual(owned, []);
    const [{ user }] = await app.query('SELECT current_user AS user');
    assert.equal(user, appRoleName(scratch.name));
  });

  test('the app appends to the ledger but cannot update, delete or truncate it', async () => {
    await app.query("INSERT INTO hospital (id, name) VALUES ('h1', 'AIIMS')");
    await app.query("INSERT INTO ledger_entry VALUES ('h1', 1, now(), '{}', '', 'x')");
    assert.equal((await app.query('SELECT * FROM ledger_entry')).length, 1);
    await assert.rejects(app.query("UPDATE ledger_entry SET body = '{\"evil\":1}'"), PERMISSION_DENIED);
    await assert.rejects(app.query('DELETE FROM ledger_entry'), PERMISSION_DENIED);
    await assert.rejects(app.query('TRUNCATE ledger_entry'), PERMISSION_DENIED);
    await assert.rejects(app.query("UPDATE hospital SET name = 'x'"), /permission denied for table hospital/);
  });

  test('the grants alone refuse it, even with the ledger trigger gone', async () => {
    await admin.query('ALTER TABLE ledger_entry DISABLE TRIGGER USER');
    try {
      await assert.rejects(app.query("UPDATE ledger_entry SET body = 'x'"), PERMISSION_DENIED);
      await assert.rejects(app.query('DELETE FROM ledger_entry'), PERMISSION_DENIED);
      await assert.rejects(app.query('TRUNCATE ledger_entry'), PERMISSION_DENIED);
    } finally {
      await admin.query('ALTER TABLE ledger_entry ENABLE TRIGGER USER');
    }
  });

  test('the owner is refused by the trigger', async () => {
    await assert.rejects(admin.query("UPDATE ledger_entry SET body = 'x'"), TRIGGER_REFUSES);
    await assert.rejects(admin.query('DELETE FROM ledger_entry'), TRIGGER_REFUSES);
    await assert.rejects(admin.query('TRUNCATE ledger_entry'), TRIGGER_REFUSES);
    assert.equal((await admin.query("SELECT body FROM ledger_entry WHERE body = '{}'")).length, 1);
  });

  test('projections are read-write, schema_migration read-only, no DDL', async () => {
    await app.query("INSERT INTO request_key VALUES ('h1', 'r1', 'hash', 1)");
    await app.query("UPDATE request_key SET seq = 2 WHERE request_id = 'r1'");
    await app.query("DELETE FROM request_key WHERE request_id = 'r1'");
    await app.query('DELETE FROM search_index');
    await app.query('DELETE FROM resource_current');
    await app.query('DELETE FROM resource_version');
    assert.ok((await app.query('SELECT * FROM schema_migration')).length > 0);
    await assert.rejects(app.query("INSERT INTO schema_migration VALUES (999, 'x', now())"), /permission denied/);
    await assert.rejects(app.query('TRUNCATE search_index'), /permission denied/);
    await assert.rejects(app.query('CREATE TABLE sneaky (id int)'), /permission denied for schema public/);
    await assert.rejects(app.query('CREATE TEMP TABLE sneaky (id int)'), /permission denied to create temporary tables/);
    await assert.rejects(app.query('ALTER TABLE ledger_entry DISABLE TRIGGER USER'), /must be owner/);
  });

  test('every migrated table has an explicit privilege decision', async () => {
    const tables = await admin.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    assert.deepEqual(tables.map((t) => t.tablename), Object.keys(APP_TABLE_PRIVILEGES).sort());
  });

  test('api tokens can be issued and revoked, but not rewritten', async () => {
    await app.query("INSERT INTO api_token (token_hash, hospital_id, name, principal) VALUES ('h', 'h1', 'n', 'p')");
    await app.query("UPDATE api_token SET revoked_at = now() WHERE token_hash = 'h'");
    await assert.rejects(app.query("UPDATE api_token SET principal = 'admin'"), /permission denied for table api_token/);
    await assert.rejects(app.query('DELETE FROM api_token'), /permission denied for table api_token/);
  });

  test('refuses an adminUrl that names another database than adminDb', async () => {
    const elsewhere = new URL(scratch.url);
    elsewhere.pathname = '/postgres';
    await assert.rejects(ensureAppRole(admin, elsewhere.toString()), /connected to "nirantar_t_\w+" but adminUrl names "postgres"/);
  });

  test('a later call resets privileges granted by hand and is idempotent', async () => {
    const role = appRoleName(scratch.name);
    await admin.query(`GRANT UPDATE, DELETE, TRUNCATE ON ledger_entry TO ${role}`);
    await admin.query('GRANT UPDATE ON ledger_entry TO PUBLIC');
    await admin.query(`ALTER TABLE search_index OWNER TO ${role}`);
    const again = await ensureAppRole(admin, scratch.url);
    assert.notEqual(new URL(again).password, new URL(appUrl).password);
    await assert.rejects(app.query("UPDATE ledger_entry SET body = 'x'"), PERMISSION_DENIED);
    await assert.rejects(app.query('TRUNCATE ledger_entry'), PERMISSION_DENIED);
    assert.deepEqual(await admin.query('SELECT tablename FROM pg_tables WHERE tableowner = $1', [role]), []);
  });
});

describe('appRoleName', () => {
  test('plain database names map directly; lossy ones get a hash and stay within 63 bytes', () => {
    assert.equal(appRoleName('nirantar'), 'nirantar_app_nirantar');
    const a = appRoleName('Nirantar-Test');
    const b = appRoleName('nirantar_test');
    assert.match(a, /^nirantar_app_nirantar_test_[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    const long = appRoleName('x'.repeat(80));
    assert.ok(long.length <= 63, long);
    assert.notEqual(long, appRoleName('x'.repeat(81)));
  });
});
