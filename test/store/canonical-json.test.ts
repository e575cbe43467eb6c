/**
 * The fast canonical JSON (src/store/canonical-json.ts) must be the `canonicalize` package byte for
 * byte (the chain hashes depend on it): same text for every value, the same error where it throws.
 * Compared over many random access records and random JSON-ish values, odd ones included.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../../src/store/canonical-json.js';
import { accessRecord, searchRecord } from '../audit/audit-fixtures.js';

/** A small deterministic random source, so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the package makes of it, or the message of what it throws. */
function reference(value: unknown): string {
  try {
    const text = canonicalize(value);
    if (text === undefined) throw new Error('value cannot be canonicalised');
    return text;
  } catch (err) {
    return `threw ${(err as Error).message}`;
  }
}
function fast(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (err) {
    return `threw ${(err as Error).message}`;
  }
}

const CHARS = [
  'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', 'ß', '€', '日', '\u2028', '\u2029', '\uffff',
  '😀', '\ud83d\ude00', '\ud800', '\udfff', '\udbff\udfff',
];

function randomString(r: () => number, options: { loneSurrogates: boolean }): string {
  const length = Math.floor(r() * (r() < 0.1 ? 300 : 20));
  let s = '';
  for (let i = 0; i < length; i++) {
    const c = r() < 0.7 ? String.fromCharCode(32 + Math.floor(r() * 95)) : CHARS[Math.floor(r() * CHARS.length)];
    if (!options.loneSurrogates && c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff) continue;
    s += c;
  }
  return s;
}

const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, 2 ** 53 + 2, 1 / 3, NaN, Infinity, -Infinity];

function randomValue(r: () => number, depth: number, odd: boolean): unknown {
  const x = r();
  if (depth > 3 || x < 0.35) {
    const y = r();
    if (y < 0.4) return randomString(r, { loneSurrogates: odd && r() < 0.1 });
    if (y < 0.6) return r() < 0.5 ? Math.floor(r() * 1e6) - 5e5 : NUMBERS[Math.floor(r() * (odd ? NUMBERS.length : NUMBERS.length - 3))];
    if (y < 0.7) return r() < 0.5;
    if (y < 0.8) return null;
    if (!odd) return 'plain';
    const oddities: unknown[] = [undefined, () => 1, Symbol('s'), new Date(Date.UTC(2025, 0, 1)), { toJSON: () => ({ b: 1, a: [2] }) }, 10n];
    return oddities[Math.floor(r() * oddities.length)];
  }
  if (x < 0.6) {
    const array = Array.from({ length: Math.floor(r() * 6) }, () => randomValue(r, depth + 1, odd));
    if (odd && array.length > 2 && r() < 0.1) delete array[1];
    return array;
  }
  const object: Record<string, unknown> = {};
  const keys = Math.floor(r() * 8);
  for (let i = 0; i < keys; i++) object[r() < 0.5 ? randomString(r, { loneSurrogates: odd && r() < 0.05 }) : `k${Math.floor(r() * 10)}`] = randomValue(r, depth + 1, odd);
  return object;
}

function randomRecord(r: () => number) {
  const patients = Array.from({ length: Math.floor(r() * 4) }, () => `Patient/${randomString(r, { loneSurrogates: false })}`);
  const text = () => randomString(r, { loneSurrogates: false });
  const base = r() < 0.5 ? searchRecord(patients) : accessRecord({ patients });
  return {
    id: crypto.randomUUID(), ...base,
    ...(r() < 0.5 ? { userAgent: text() } : { userAgent: null }),
    ...(r() < 0.3 ? { query: text() } : {}),
    ...(r() < 0.2 ? { status: 403, outcome: '4' as const, outcomeDescription: text() } : {}),
    ...(r() < 0.1 ? { breakGlassReason: text(), purpose: 'BTG' } : {}),
    ...(r() < 0.3 ? { clientRequestId: text(), userId: crypto.randomUUID() } : {}),
    ...(r() < 0.2 ? { sourceIp: r() < 0.5 ? null : `::ffff:10.0.0.${Math.floor(r() * 255)}` } : {}),
    ...(r() < 0.2 ? { resourceId: undefined } : {}),
    path: `/fhir/R4/${text()}`,
  };
}

describe('canonical JSON: the same bytes as the canonicalize package', () => {
  test('20 000 random access records, alone and as audit ledger entries of up to 500', () => {
    const r = random(8785);
    let records: object[] = [];
    for (let i = 0; i < 20_000; i++) {
      const record = randomRecord(r);
      assert.equal(fast(record), reference(record), `record ${i}`);
      records.push(record);
      if (records.length === 1 + Math.floor(r() * 500)) {
        const entry = {
          hospital: 'demo', seq: i, time: new Date().toISOString(), actor: 'system:audit-trail', sourceIp: null,
          requestId: `audit-${i}`, requestHash: null, interaction: 'audit', versions: [], audit: records,
        };
        assert.equal(fast(entry), reference(entry), `entry ending at record ${i}`);
        records = [];
      }
    }
  });

  test('20 000 random JSON values (unicode, escapes, numbers, nesting)', () => {
    const r = random(42);
    for (let i = 0; i < 20_000; i++) {
      const value = randomValue(r, 0, false);
      const [got, expected] = [fast(value), reference(value)];
      if (got !== expected) assert.equal(got, expected, `value ${i}: ${JSON.stringify(value)}`);
    }
  });

  test('20 000 odd values: lone surrogates, NaN, Infinity, undefined, functions, symbols, toJSON, bigints, holes', () => {
    const r = random(1);
    let threw = 0;
    for (let i = 0; i < 20_000; i++) {
      const value = randomValue(r, 0, true);
      const expected = reference(value);
      if (expected.startsWith('threw')) threw++;
      assert.equal(fast(value), expected, `value ${i}`);
    }
    assert.ok(threw > 100, `only ${threw} of the odd values made the package throw`);
  });

  test('cycles are refused as the package refuses them, shared (acyclic) references are not', () => {
    const shared = { a: 1 };
    assert.equal(fast({ x: shared, y: [shared, shared] }), reference({ x: shared, y: [shared, shared] }));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.equal(fast(cyclic), 'threw Circular reference detected');
    const array: unknown[] = [1];
    array.push({ back: array });
    assert.equal(fast(array), reference(array));
    const viaToJSON: Record<string, unknown> = {};
    viaToJSON.child = { toJSON: () => viaToJSON };
    assert.equal(fast(viaToJSON), reference(viaToJSON));
  });
});
