import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { base32Decode, base32Encode } from '../../src/security/accounts/base32.js';
import { openSecret, sealSecret } from '../../src/security/accounts/secret-box.js';
import { loadAccountSecretKey } from '../../src/security/accounts/secret-key.js';
import { matchTotp, otpauthUri, totpCode, totpStep, type TotpAlgorithm } from '../../src/security/accounts/totp.js';

// RFC 6238 appendix B: the seeds are these ASCII strings; the expected values are 8-digit codes.
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, TotpAlgorithm][] = [
  [59, '94287082', 'sha1'], [59, '46119246', 'sha256'], [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'], [1111111109, '68084774', 'sha256'], [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'], [1111111111, '67062674', 'sha256'], [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'], [1234567890, '91819424', 'sha256'], [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'], [2000000000, '90698825', 'sha256'], [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'], [20000000000, '77737706', 'sha256'], [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  test('matches every test vector of RFC 6238 appendix B', () => {
    for (const [seconds, expected, algorithm] of VECTORS) {
      assert.equal(totpCode(SEEDS[algorithm], totpStep(seconds * 1000), 8, algorithm), expected, `${algorithm} at T=${seconds}`);
    }
    assert.equal(totpStep(59_000), 1);
    assert.equal(totpStep(1111111109_000), 0x23523ec);
  });

  test('six-digit codes are the last six digits of the same truncation (RFC 4226 appendix D: 755224 at count 0)', () => {
    assert.equal(totpCode(SEEDS.sha1, 0), '755224');
    assert.equal(totpCode(SEEDS.sha1, totpStep(59_000)), '287082');
  });

  const secret = SEEDS.sha1;
  const now = 1_700_000_015_000; // inside a step, not on its edge
  const step = totpStep(now);

  test('accepts the current code and one step either side, nothing further', () => {
    const options = { window: 1, lastUsedStep: null };
    assert.equal(matchTotp(secret, totpCode(secret, step), now, options), step);
    assert.equal(matchTotp(secret, totpCode(secret, step - 1), now, options), step - 1);
    assert.equal(matchTotp(secret, totpCode(secret, step + 1), now, options), step + 1);
    assert.equal(matchTotp(secret, totpCode(secret, step - 2), now, options), null);
    assert.equal(matchTotp(secret, totpCode(secret, step + 2), now, options), null);
    assert.equal(matchTotp(secret, totpCode(secret, step - 1), now, { window: 0, lastUsedStep: null }), null);
  });

  test('a code is not accepted again, nor one older than the last accepted', () => {
    const code = totpCode(secret, step);
    assert.equal(matchTotp(secret, code, now, { window: 1, lastUsedStep: step }), null, 'the same code twice');
    assert.equal(matchTotp(secret, totpCode(secret, step - 1), now, { window: 1, lastUsedStep: step }), null, 'an older one after it');
    assert.equal(matchTotp(secret, totpCode(secret, step + 1), now, { window: 1, lastUsedStep: step }), step + 1, 'a newer one is fine');
  });

  test('refuses malformed and wrong codes', () => {
    const options = { window: 1, lastUsedStep: null };
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 12345', totpCode(secret, step).replace(/^./, (d) => String((Number(d) + 1) % 10))]) {
      assert.equal(matchTotp(secret, bad, now, options), null, JSON.stringify(bad));
    }
  });

  test('otpauth URI carries the secret in base32 and the issuer', () => {
    const uri = new URL(otpauthUri(secret, 'Nirantar', 'dr.sharma'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Nirantar:dr.sharma');
    assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(uri.searchParams.get('issuer'), 'Nirantar');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
  });
});

describe('base32 (RFC 4648)', () => {
  test('test vectors and round trips', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of vectors) {
      assert.equal(base32Encode(Buffer.from(plain)), encoded);
      assert.equal(base32Decode(encoded).toString(), plain);
    }
    for (let i = 0; i < 50; i++) {
      const bytes = randomBytes(i);
      assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
    }
    assert.throws(() => base32Decode('MZ1W'), /not base32/);
  });
});

describe('sealed TOTP secrets', () => {
  const key = randomBytes(32);
  test('round trip; the sealed text shows nothing of the secret', () => {
    const secret = randomBytes(20);
    const sealed = sealSecret(key, secret, 'totp:h1:u1');
    assert.deepEqual(openSecret(key, sealed, 'totp:h1:u1'), secret);
    assert.ok(!sealed.includes(secret.toString('base64url')) && !sealed.includes(base32Encode(secret)));
    assert.notEqual(sealSecret(key, secret, 'totp:h1:u1'), sealed, 'a fresh IV each time');
  });

  test('refuses another key, another account binding, or a tampered text', () => {
    const sealed = sealSecret(key, randomBytes(20), 'totp:h1:u1');
    assert.throws(() => openSecret(randomBytes(32), sealed, 'totp:h1:u1'));
    assert.throws(() => openSecret(key, sealed, 'totp:h1:u2'), /unable to authenticate/, 'copied onto another account');
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[2], 'base64url');
    ciphertext[0] ^= 1;
    parts[2] = ciphertext.toString('base64url');
    assert.throws(() => openSecret(key, parts.join('.'), 'totp:h1:u1'));
    assert.throws(() => openSecret(key, 'v0.a.b.c', 'totp:h1:u1'), /unknown format/);
  });
});

describe('the sealing key', () => {
  test('created once with mode 0600 and read back; the environment wins; a wrong length is refused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nirantar-key-'));
    try {
      const file = path.join(dir, 'keys', 'account.key');
      const key = await loadAccountSecretKey({ file });
      assert.equal(key.length, 32);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.deepEqual(await loadAccountSecretKey({ file }), key);
      const fromEnv = randomBytes(32);
      assert.deepEqual(await loadAccountSecretKey({ fromEnv: fromEnv.toString('base64'), file }), fromEnv);
      assert.deepEqual(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64'), key, 'the file is left alone');
      await assert.rejects(loadAccountSecretKey({ fromEnv: randomBytes(16).toString('base64'), file }), /32 bytes/);
      await writeFile(file, 'c2hvcnQ=\n');
      await assert.rejects(loadAccountSecretKey({ file }), /32 bytes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
