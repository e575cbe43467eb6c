/**
 * The vault's Ed25519 signing key. It is made when the vault is initialised, lives only in
 * `keys/vault-ed25519.pem` (mode 0600) and never leaves the vault: checkpoints signed with it prove
 * that the vault held a given chain head at a given time, and an auditor who recorded the public key
 * can check that even someone with write access to the vault directory has not re-signed history.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from '../store/durable-file.js';

export const KEYS_DIR = 'keys';
export const PRIVATE_KEY_FILE = 'vault-ed25519.pem';

export function newSigningKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** A short stable name for a public key: the first 16 hex digits of SHA-256 of its SPKI encoding. */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** Writes the private key with 'wx': an existing key is never overwritten (that would orphan every checkpoint). */
export async function writePrivateKey(vaultDir: string, privatePem: string): Promise<void> {
  const dir = path.join(vaultDir, KEYS_DIR);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const handle = await fs.open(path.join(dir, PRIVATE_KEY_FILE), 'wx', 0o600);
  try {
    await handle.writeFile(privatePem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDirectory(dir);
  await syncDirectory(vaultDir);
}

export async function readPrivateKey(vaultDir: string): Promise<{ key: KeyObject; exposed: boolean }> {
  const file = path.join(vaultDir, KEYS_DIR, PRIVATE_KEY_FILE);
  const [pem, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  // Readable by group or others: the caller warns, because anyone who can read it can forge checkpoints.
  return { key, exposed: (stat.mode & 0o077) !== 0 };
}

export function signText(privateKey: KeyObject, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

export function signatureValid(publicKey: KeyObject, text: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
