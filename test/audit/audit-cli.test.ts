import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AUDIT_COLUMNS } from '../../src/audit/audit-csv.js';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { loadDefinitions } from '../../src/fhir/definitions.js';
import { validateResource } from '../../src/fhir/validation/validate-resource.js';
import { tempDir } from '../vault/vault-fixtures.js';
import { accessRecord, openAuditStore, searchRecord, type AuditStore } from './audit-fixtures.js';

const run = promisify(execFile);

/** RFC 4180, read back: quoted fields with doubled quotes, commas and line breaks inside; CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') field += text[++i];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  assert.equal(field + record.join(''), '', 'the last record ends with CRLF');
  return records;
}

describe('nirantar audit: the forensic timeline', () => {
  let store: AuditStore;
  const now = Date.now();
  const { NIRANTAR_HOSPITAL: _hospital, ...withoutHospital } = process.env;
  const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
  const audit = (...args: string[]) =>
    run(process.execPath, ['bin/nirantar.js', 'audit', '--database-url', store.url, ...args], { env: withoutHospital })
      .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
      .catch((e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));

  before(async () => {
    loadDefinitions();
    store = await openAuditStore();
    const trail = new AuditTrail({ writer: store.repo.writer });
    trail.record(accessRecord({ time: '2025-03-01T08:00:00.000Z', requestId: 'c1', resourceId: 'p1', patients: ['Patient/p1'], userAgent: 'Desk, "ward 3"' }));
    trail.record(searchRecord(['Patient/p1', 'Patient/p2'], { time: '2025-03-01T09:00:00.000Z', requestId: 'c2', query: 'name=Ram, Prasad&birthdate=1950' }));
    trail.record(accessRecord({
      time: '2025-03-02T08:00:00.000Z', requestId: 'c3', resourceId: 'p2', patients: ['Patient/p2'], purpose: 'BTG',
      breakGlassReason: 'unconscious, brought by "police"\r\nno relatives', sourceIp: '203.0.113.7',
    }));
    trail.record(accessRecord({ time: '2025-03-02T09:00:00.000Z', requestId: 'c4', principal: 'user:ravi', role: 'billing-clerk', sourceIp: '203.0.113.9', outcome: '4', status: 403 }));
    trail.record(accessRecord({ time: hoursAgo(3), requestId: 'c5', principal: 'user:recent' }));
    trail.record(accessRecord({ time: hoursAgo(1), requestId: 'c6', principal: 'user:recent' }));
    trail.record(accessRecord({ time: '2025-03-01T08:00:00.000Z', requestId: 'other', hospitalId: 'north' }));
    await trail.close();
  });
  after(async () => {
    await store?.close();
  });

  test('--format csv: a header, one RFC 4180 record per event, oldest first, that parses back exactly', async () => {
    const { code, stdout, stderr } = await audit('--user', 'asha', '--format', 'csv', '--hospital', 'demo');
    assert.equal(code, 0, stderr);
    const [header, ...rows] = parseCsv(stdout);
    assert.deepEqual(header, [...AUDIT_COLUMNS]);
    const col = (row: string[], name: (typeof AUDIT_COLUMNS)[number]) => row[AUDIT_COLUMNS.indexOf(name)];
    assert.deepEqual(rows.map((r) => col(r, 'request_id')), ['c1', 'c3'], 'asha means user:asha; meera, ravi and north are not hers');
    const [c1, c3] = rows;
    assert.equal(col(c1, 'recorded'), '2025-03-01T08:00:00.000Z');
    assert.equal(col(c1, 'principal'), 'user:asha');
    assert.equal(col(c1, 'role'), 'doctor');
    assert.equal(col(c1, 'action'), 'R');
    assert.equal(col(c1, 'interaction'), 'read');
    assert.equal(col(c1, 'source_ip'), '10.20.30.40');
    assert.equal(col(c1, 'user_agent'), 'Desk, "ward 3"');
    assert.equal(col(c1, 'patients'), 'Patient/p1');
    assert.equal(col(c1, 'resource'), 'Patient/p1');
    assert.equal(col(c3, 'purpose'), 'BTG');
    assert.equal(col(c3, 'break_glass_reason'), 'unconscious, brought by "police"\r\nno relatives');
    assert.equal(col(c3, 'source_ip'), '203.0.113.7');
    assert.match(col(c3, 'id'), /^[0-9a-f-]{36}$/);

    const search = await audit('--patient', 'p2', '--format', 'csv', '--until', '2025-03-01');
    const [, only] = parseCsv(search.stdout);
    assert.equal(col(only, 'request_id'), 'c2');
    assert.equal(col(only, 'patients'), 'Patient/p1 Patient/p2');
    assert.equal(col(only, 'query'), 'name=Ram, Prasad&birthdate=1950');
    assert.equal(col(only, 'interaction'), 'search-type');
  });

  test('--format bundle --out FILE: a valid FHIR collection Bundle of exactly the AuditEvents asked for', async (t) => {
    const file = join(await tempDir(t), 'p2.json');
    const { code, stderr } = await audit('--patient', 'Patient/p2', '--format', 'bundle', '--out', file);
    assert.equal(code, 0, stderr);
    assert.match(stderr, new RegExp(`2 audit events of hospital demo written to ${file}`));
    const bundle = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.type, 'collection');
    validateResource(bundle);
    const events = bundle.entry.map((e: any) => e.resource);
    assert.deepEqual(events.map((e: any) => e.extension[0].valueString), ['c2', 'c3']);
    assert.ok(bundle.entry.every((e: any) => e.fullUrl === `urn:uuid:${e.resource.id}`));
    for (const event of events) validateResource(event);

    const none = await audit('--user', 'user:nobody', '--format', 'bundle');
    const empty = JSON.parse(none.stdout);
    assert.equal(empty.entry, undefined, 'no empty entry array');
    validateResource(empty);
  });

  test('--ip with a CIDR block and a time window; relative --since; the table', async () => {
    const window = await audit('--ip', '203.0.113.0/24', '--since', '2025-03-02T08:30:00Z', '--until', '2025-03-02');
    assert.equal(window.code, 0, window.stderr);
    const lines = window.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^RECORDED\s+PRINCIPAL\s+ROLE\s+ACTION/);
    assert.equal(lines.length, 3);
    assert.match(lines[1], /^2025-03-02T09:00:00\.000Z\s+user:ravi\s+billing-clerk\s+R\s+read\s+4\s+203\.0\.113\.9/);
    assert.equal(lines[2], '(1 events)');

    const recent = await audit('--since', '2h', '--format', 'csv');
    const rows = parseCsv(recent.stdout).slice(1);
    assert.deepEqual(rows.map((r) => r[AUDIT_COLUMNS.indexOf('request_id')]), ['c6']);
    const lastDays = await audit('--user', 'recent', '--since', '1d', '--format', 'csv');
    assert.equal(parseCsv(lastDays.stdout).length, 3);
  });

  test('bad criteria are refused with exit code 2 before anything is opened', async () => {
    for (const args of [['--since', 'yesterday'], ['--ip', '10.0.0.300'], ['--format', 'pdf'], ['--patient', 'Observation/x']]) {
      const result = await audit(...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /^nirantar audit: /);
    }
  });
});
