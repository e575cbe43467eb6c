/** `nirantar honeytoken add|list|remove` as a real child process against a throwaway database. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { FhirRepository } from '../../../src/fhir/repository/repository.js';
import { connectDatabase, type Database } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrate.js';
import { ensureHospital } from '../../../src/store/open-store.js';
import { createTestDatabase } from '../../support/database.js';

const run = promisify(execFile);
const ctx = { hospitalId: 'h1', actor: 'test', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };
type Result = { code?: number; stdout: string; stderr: string };

describe('nirantar honeytoken', () => {
  let scratch: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: Database;
  const nirantar = (...args: string[]): Promise<Result> =>
    run(process.execPath, ['bin/nirantar.js', 'honeytoken', ...args, '--database-url', scratch.url, '--hospital', 'h1']).catch((e) => e);

  before(async () => {
    scratch = await createTestDatabase();
    admin = connectDatabase(scratch.url, { max: 2 });
    await migrate(admin);
    await ensureHospital(admin, 'h1', 'Test Hospital');
  });
  after(async () => {
    await admin?.close();
    await scratch?.drop();
  });

  test('--help explains it; no action or an unknown one is refused with exit code 2', async () => {
    const help = await run(process.execPath, ['bin/nirantar.js', 'honeytoken', '--help']);
    assert.match(help.stdout, /^Usage: nirantar honeytoken add/);
    assert.match(help.stdout, /--data DIR/);
    assert.equal((await nirantar()).code, 2);
    assert.equal((await nirantar('explode')).code, 2);
  });

  test('add plants a synthetic Patient through the ledger, list shows it, remove unmarks it', async () => {
    const added = await nirantar('add', '--label', 'ICU decoy');
    assert.equal(added.code ?? 0, 0, added.stderr);
    const match = /^Planted decoy Patient\/([0-9a-f-]{36}) \(([A-Z][a-z]+ [A-Z][a-z]+), (male|female), born (\d{4}-\d\d-\d\d), UHID (\d{10})\) in hospital h1\n$/.exec(added.stdout);
    assert.ok(match, added.stdout);
    const [, id, name, gender, birthDate, uhid] = match;
    const patient = await new FhirRepository(admin).read(ctx, 'Patient', id) as any;
    assert.equal(`${patient.name[0].given[0]} ${patient.name[0].family}`, name);
    assert.deepEqual([patient.gender, patient.birthDate, patient.identifier[0].value], [gender, birthDate, uhid]);
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM ledger_entry WHERE hospital_id = 'h1'`))[0].n, 1);

    const listed = await nirantar('list');
    assert.match(listed.stdout, new RegExp(`^Patient/${id}\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\tICU decoy\\n1 decoy record\\(s\\) in hospital h1\\n$`));

    const removed = await nirantar('remove', '--patient', id);
    assert.equal(removed.stdout, `Patient/${id} is no longer a decoy (hospital h1)\n`);
    assert.equal((await nirantar('remove', '--patient', id)).code, 1);
    assert.match((await nirantar('list')).stdout, /^0 decoy record\(s\) in hospital h1\n$/);
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM resource_current WHERE id = $1`, [id]))[0].n, 1, 'the Patient stays');

    const again = await nirantar('add', '--patient', id);
    assert.match(again.stdout, new RegExp(`^Marked Patient/${id} \\(${name}, ${gender}, born ${birthDate}, UHID ${uhid}\\) in hospital h1\\n$`));
    assert.match((await nirantar('add', '--patient', id)).stdout, /^Already a decoy: /);
  });

  test('add --patient refuses a Patient that does not exist', async () => {
    const missing = await nirantar('add', '--patient', 'no-such-patient');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'nirantar honeytoken: no Patient/no-such-patient in hospital h1\n');
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM honeytoken WHERE resource_id = 'no-such-patient'`))[0].n, 0);
  });
});
