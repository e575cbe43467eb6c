/**
 * `vault.json`: who this vault is and what it has agreed to hold. Everything that governs the vault
 * (its key, its retention, its bindings) comes from here and never from the server, so a compromised
 * server cannot shorten retention or point the vault at a different history.
 *
 * A binding ties a hospital id to the hash of entry 1 of the chain first pulled for it: the genesis
 * hash names one particular history, so the vault can tell "the same hospital's server, maybe on a
 * new host" from "another hospital's server" or "a history rewritten from the start".
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../store/durable-file.js';

export const CONFIG_FILE = 'vault.json';
export const CONFIG_FORMAT = 'nirantar-vault/1';
export const DEFAULT_RETENTION_DAYS = 3650;

export interface HospitalBinding {
  genesisHash: string;
  boundAt: string;
  /** The server it was first pulled from; informational, the genesis hash is what binds. */
  firstServer: string;
}

export interface VaultConfig {
  format: typeof CONFIG_FORMAT;
  vaultId: string;
  createdAt: string;
  /** Ed25519 public key, SPKI PEM, and its key id (see keyIdOf). */
  publicKey: string;
  keyId: string;
  /** Nothing is deleted before it is this old. (Nothing is deleted at all yet.) */
  retentionDays: number;
  hospitals: Record<string, HospitalBinding>;
}

export function newVaultConfig(publicKey: string, keyId: string, now = new Date()): VaultConfig {
  return { format: CONFIG_FORMAT, vaultId: randomUUID(), createdAt: now.toISOString(), publicKey, keyId, retentionDays: DEFAULT_RETENTION_DAYS, hospitals: {} };
}

/** The config, or undefined when the directory holds no vault.json yet. A damaged one is an error. */
export async function readVaultConfig(vaultDir: string): Promise<VaultConfig | undefined> {
  const file = path.join(vaultDir, CONFIG_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let config: VaultConfig;
  try {
    config = JSON.parse(text) as VaultConfig;
  } catch {
    throw new Error(`${file} is not valid JSON; the vault will not guess its identity or bindings`);
  }
  if (config?.format !== CONFIG_FORMAT || typeof config.vaultId !== 'string' || typeof config.publicKey !== 'string' ||
      typeof config.keyId !== 'string' || !Number.isFinite(config.retentionDays) || typeof config.hospitals !== 'object' || config.hospitals === null) {
    throw new Error(`${file} is not a ${CONFIG_FORMAT} vault configuration`);
  }
  return config;
}

export async function writeVaultConfig(vaultDir: string, config: VaultConfig): Promise<void> {
  await writeFileDurably(path.join(vaultDir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`, 0o644);
}

/** Names in the vault directory that are not hospitals. */
const RESERVED = new Set(['keys', CONFIG_FILE, 'nirantar.lock']);

/** Hospital ids become directory names: letters, digits, '.', '_', '-', and none of the vault's own names. */
export function assertHospitalId(hospital: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(hospital) || RESERVED.has(hospital)) {
    throw new Error(`"${hospital}" cannot be a hospital id in the vault (letters, digits, ".", "_", "-"; at most 64; not ${[...RESERVED].join(', ')})`);
  }
}
