import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyField, copyLine } from '../../src/vault/copy-text.js';
import { CopyWriter } from '../../src/vault/copy-writer.js';
import { freshClient } from './restore-fixtures.js';

test('COPY text encoding: every awkward value goes in and comes back exactly', async (t) => {
  const client = await freshClient(t);
  await client.query('CREATE TABLE awkward (n int, t text, j jsonb, b boolean, x numeric, ts timestamptz)');
  const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
  const texts = [
    '\\N', '\\', '\\\\n', 'tab\there', 'new\nline', 'cr\rlf\r\n', controls, '{"quoted":"a\\"b"}', 'देवनागरी 🏥', '', ' ', '\u2028\u2029', '\\.',
  ];
  const rows = texts.map((text, i) => ({
    n: i, t: text, j: { text, nested: [text, { k: 'v\\' }], n: 1.5 }, b: i % 2 === 0, x: [1e21, -0.5, 3, 1e-7][i % 4], ts: '2025-03-01T10:00:00.123+05:30',
  }));
  rows.push({ n: 99, t: null, j: null, b: null, x: null, ts: null } as never);
  const copy = CopyWriter.start(client, 'awkward', ['n', 't', 'j', 'b', 'x', 'ts']);
  for (const row of rows) await copy.write(copyLine(row, ['n', 't', 'j', 'b', 'x', 'ts']));
  assert.equal(await copy.end(), rows.length);
  const back = (await client.query('SELECT n, t, j, b, x::float8 AS x, ts FROM awkward ORDER BY n')).rows;
  assert.equal(back.length, rows.length);
  for (const [i, row] of rows.entries()) {
    assert.equal(back[i].t, row.t, `text ${i}`);
    assert.deepEqual(back[i].j, row.j, `json ${i}`);
    assert.equal(back[i].b, row.b);
    assert.equal(back[i].x, row.x);
    assert.equal(back[i].ts?.toISOString() ?? null, row.ts ? new Date(row.ts).toISOString() : null);
  }
  assert.throws(() => copyField(Number.NaN), /cannot COPY/);
});

test('a COPY the server refuses fails at end(), and the connection is usable afterwards', async (t) => {
  const client = await freshClient(t);
  await client.query('CREATE TABLE strict_numbers (n int PRIMARY KEY)');
  const copy = CopyWriter.start(client, 'strict_numbers', ['n']);
  await copy.write('1\n');
  await copy.write('1\n');
  await assert.rejects(copy.end(), /duplicate key/);
  assert.equal((await client.query('SELECT count(*)::int AS n FROM strict_numbers')).rows[0].n, 0);
});
