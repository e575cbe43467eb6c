import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDatabase, type Database } from '../../src/store/database.js';
import { canonicalJson } from '../../src/store/ledger-entry.js';
import { migrate } from '../../src/store/migrate.js';
import { canonicalJsonText, stateHash } from '../../src/store/state-hash.js';
import { testAdminUrl, withDatabase } from '../support/database.js';

const SYNTHEA = path.resolve(import.meta.dirname, '../../../shared/data/synthea');
const EXAMPLES = path.dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

function* jsonFiles(dir: string): Generator<unknown> {
  for (const f of readdirSync(dir)) if (f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.')) yield JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
}

describe('canonicalJsonText: RFC 8785, as the ledger canonicalises', () => {
  test('equals canonicalJson on edge cases and on every official example and Synthea bundle', () => {
    const edge = [
      { z: 1, a: [3, { y: null, b: true }], é: 'x', A: -0, '😀': 1e21, '\u20ac': 0.1, '': 'empty', ab: 'tab\tquote"back\\slash\u2028' },
      [1.5, 100, 1e-7, -12.25, 'a\u0001b'], 'plain', 42, null, false, {},
    ];
    let compared = 0;
    for (const value of [...edge, ...jsonFiles(EXAMPLES), ...jsonFiles(SYNTHEA)]) {
      assert.equal(canonicalJsonText(value), canonicalJson(value));
      compared++;
    }
    assert.ok(compared > 5000, `${compared} values compared`);
  });
});

describe('stateHash', () => {
  async function databaseWith(options: string, t: { after(fn: () => unknown): void }): Promise<Database> {
    const name = `nirantar_state_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: testAdminUrl() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name} ${options}`);
    } finally {
      await admin.end();
    }
    const db = connectDatabase(withDatabase(testAdminUrl(), name), { max: 3 });
    t.after(async () => {
      await db.close();
      const c = new pg.Client({ connectionString: testAdminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
    await migrate(db);
    return db;
  }

  const ids = ['b', 'A-2', 'a.3', 'a-1', 'B', 'aa', '_x', 'Z9', '0', 'a'];
  async function load(db: Database, order: string[], change?: (id: string) => Record<string, unknown>) {
    for (const [i, id] of order.entries()) {
      const deleted = id === 'B';
      const resource = deleted ? null : { resourceType: 'Patient', id, name: [{ family: `F${id}` }], ...(change?.(id) ?? {}) };
      await db.query(`INSERT INTO resource_version (hospital_id, resource_type, id, version_id, seq, last_updated, deleted, method, resource)
        VALUES ('h', 'Patient', $1, 1, $2, now(), $3, 'PUT', $4)`, [id, i + 1, deleted, resource]);
      await db.query(`INSERT INTO resource_current (hospital_id, resource_type, id, version_id, last_updated, deleted) VALUES ('h', 'Patient', $1, 1, now(), $2)`, [id, deleted]);
    }
    // Another type and another hospital: separate, and the other hospital does not count.
    await db.query(`INSERT INTO resource_version VALUES ('h', 'Encounter', 'e1', 1, 99, now(), false, 'POST', '{"resourceType":"Encounter","status":"finished","id":"e1"}')`);
    await db.query(`INSERT INTO resource_current VALUES ('h', 'Encounter', 'e1', 1, now(), false)`);
    await db.query(`INSERT INTO resource_current VALUES ('other', 'Patient', 'x', 1, now(), false)`);
  }

  test('does not depend on insertion order or the database collation; changes with any field', async (t) => {
    const c = await databaseWith("TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", t);
    let icu: Database;
    try {
      icu = await databaseWith("TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'", t);
    } catch (err) {
      t.skip(`this PostgreSQL cannot make an ICU database: ${(err as Error).message}`);
      return;
    }
    await load(c, ids);
    await load(icu, [...ids].reverse());
    const [orderedC] = await c.query<{ ids: string[] }>(`SELECT array_agg(id ORDER BY id) AS ids FROM resource_current WHERE resource_type = 'Patient'`);
    const [orderedIcu] = await icu.query<{ ids: string[] }>(`SELECT array_agg(id ORDER BY id) AS ids FROM resource_current WHERE resource_type = 'Patient'`);
    assert.notDeepEqual(orderedC.ids, orderedIcu.ids, 'the two databases really sort ids differently');
    const a = await stateHash(c, 'h');
    assert.equal(a.resources, ids.length + 1);
    assert.deepEqual(await stateHash(icu, 'h'), a);

    await c.query(`UPDATE resource_version SET resource = jsonb_set(resource, '{gender}', '"female"') WHERE id = 'aa'`);
    const content = await stateHash(c, 'h');
    assert.notEqual(content.hash, a.hash);
    await c.query(`UPDATE resource_current SET deleted = true WHERE id = 'aa'`);
    assert.notEqual((await stateHash(c, 'h')).hash, content.hash);
    await c.query(`UPDATE resource_current SET version_id = 2 WHERE id = 'a'`);
    const missing = await stateHash(c, 'h'); // a current row without its version still hashes (differently)
    assert.equal(missing.resources, a.resources);
    assert.notEqual(missing.hash, content.hash);
  });

  test('streams many resources in chunks with the same result as one chunk would give', async (t) => {
    const db = await databaseWith('', t);
    await db.query(`INSERT INTO resource_version SELECT 'h', 'Observation', 'o' || g, 1, g, now(), false, 'POST',
      jsonb_build_object('resourceType', 'Observation', 'id', 'o' || g, 'status', 'final', 'valueInteger', g) FROM generate_series(1, 4500) g`);
    await db.query(`INSERT INTO resource_current SELECT 'h', 'Observation', 'o' || g, 1, now(), false FROM generate_series(1, 4500) g`);
    const result = await stateHash(db, 'h');
    assert.equal(result.resources, 4500);
    // The same input built by hand, in code-unit order of the ids.
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update('nirantar-state/1\nh\n');
    for (const g of Array.from({ length: 4500 }, (_, i) => i + 1).sort((x, y) => (`o${x}` < `o${y}` ? -1 : 1))) {
      hash.update(`Observation\to${g}\t1\tfalse\t${canonicalJson({ resourceType: 'Observation', id: `o${g}`, status: 'final', valueInteger: g })}\n`);
    }
    assert.equal(result.hash, hash.digest('hex'));
  });
});
