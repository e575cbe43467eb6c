/**
 * Binding a hospital to one history: the first time the vault pulls a hospital, it records the hash
 * of the server's entry 1 in vault.json. From then on a server presenting another entry 1 is refused,
 * whatever its URL: it is another hospital's server, or a history rewritten from the start.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from '../store/durable-file.js';
import { SEGMENTS_DIR } from './segment-files.js';
import { writeVaultConfig, type VaultConfig } from './vault-config.js';
import { VaultRefusal } from './vault-errors.js';
import type { VaultLog } from './vault-log.js';

/**
 * Returns the config with the binding (unchanged if it was already there). `heldGenesis` is the hash
 * of entry 1 in the vault's files, if any: files without a binding must still agree with the server.
 */
export async function bindHospital(
  dir: string, config: VaultConfig, hospital: string, genesisHash: string, server: string, heldGenesis: string | undefined, log: VaultLog,
): Promise<VaultConfig> {
  const bound = config.hospitals[hospital]?.genesisHash ?? heldGenesis;
  if (bound !== undefined && bound !== genesisHash) {
    throw new VaultRefusal(hospital, null, `this vault holds hospital "${hospital}" from a server whose entry 1 has hash ${bound.slice(0, 16)}…, ` +
      `but ${server} has ${genesisHash.slice(0, 16)}…: it is another hospital's server, or a history rewritten from its first entry. ` +
      'The vault keeps what it holds and takes nothing from this server.');
  }
  if (config.hospitals[hospital]) return config;
  await fs.mkdir(path.join(dir, hospital, SEGMENTS_DIR), { recursive: true });
  await syncDirectory(path.join(dir, hospital));
  await syncDirectory(dir);
  const next = { ...config, hospitals: { ...config.hospitals, [hospital]: { genesisHash, boundAt: new Date().toISOString(), firstServer: server } } };
  await writeVaultConfig(dir, next);
  log('info', 'hospital-bound', { hospital, genesisHash, server });
  return next;
}
