/**
 * Making a new vault in a directory, and loading an existing vault's identity: its config and the
 * private key that must match the public key the config advertises.
 */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LOCK_FILE_NAME } from '../store/data-dir-lock.js';
import { CONFIG_FILE, newVaultConfig, readVaultConfig, writeVaultConfig, type VaultConfig } from './vault-config.js';
import { KEYS_DIR, keyIdOf, newSigningKey, PRIVATE_KEY_FILE, publicKeyOf, readPrivateKey, writePrivateKey } from './vault-keys.js';
import type { VaultLog } from './vault-log.js';

export interface VaultIdentity {
  config: VaultConfig;
  privateKey: KeyObject;
}

export async function loadVaultIdentity(dir: string, create: boolean, log: VaultLog): Promise<VaultIdentity> {
  let config = await readVaultConfig(dir);
  if (!config) {
    if (!create) throw new Error(`${dir} is not a vault (it has no ${CONFIG_FILE})`);
    config = await initialiseVault(dir, log);
  }
  const { key, exposed } = await readPrivateKey(dir);
  if (keyIdOf(publicKeyOf(key)) !== config.keyId || keyIdOf(config.publicKey) !== config.keyId) {
    throw new Error(`the private key in ${path.join(dir, KEYS_DIR)} does not match the public key in ${CONFIG_FILE}; ` +
      'checkpoints signed with it could not be verified, so the vault will not start');
  }
  if (exposed) log('warn', 'key-exposed', { file: path.join(KEYS_DIR, PRIVATE_KEY_FILE), advice: 'chmod 600: anyone who can read the key can forge checkpoints' });
  return { config, privateKey: key };
}

/**
 * Only an empty directory becomes a vault, so a mistyped --dir cannot scatter vault files into
 * something else. The one exception is a directory left by an init that was interrupted after the
 * key was written: the key is kept (never regenerated over) and the config written now.
 */
async function initialiseVault(dir: string, log: VaultLog): Promise<VaultConfig> {
  const leftovers = (await fs.readdir(dir)).filter((name) => !name.startsWith(LOCK_FILE_NAME) && !name.startsWith(`${CONFIG_FILE}.`));
  const interrupted = leftovers.length === 1 && leftovers[0] === KEYS_DIR &&
    (await fs.readdir(path.join(dir, KEYS_DIR))).join() === PRIVATE_KEY_FILE;
  if (leftovers.length > 0 && !interrupted) {
    throw new Error(`${dir} is not empty and holds no ${CONFIG_FILE}: refusing to make a vault there (use an empty or new directory)`);
  }
  if (!interrupted) await writePrivateKey(dir, newSigningKey().privatePem);
  const { key } = await readPrivateKey(dir);
  const publicKey = publicKeyOf(key);
  const config = newVaultConfig(publicKey.export({ type: 'spki', format: 'pem' }) as string, keyIdOf(publicKey));
  await writeVaultConfig(dir, config);
  log('info', 'vault-created', { dir, vaultId: config.vaultId, keyId: config.keyId, retentionDays: config.retentionDays });
  return config;
}
