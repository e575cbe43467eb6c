/**
 * nirantar verify: walk the hash chain of each hospital and say OK or where it breaks; with --vault,
 * compare the live ledger with a vault's copy instead.
 */
import { readFileSync } from 'node:fs';
import type { Queryable } from '../store/database.js';
import { verifyLedger } from '../store/ledger-verify.js';
import { interruptedRestores } from '../store/restore-marker.js';
import { readVaultConfig } from '../vault/vault-config.js';
import { compareWithVault, type VaultComparison } from '../vault/vault-compare.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "check the ledger's hash chain end to end (or compare it with a vault)",
  options: { ...STORE_OPTIONS, vault: { type: 'string' }, 'public-key': { type: 'string' } },
  help: `Usage: nirantar verify [--data DIR | --database-url URL] [--hospital ID]
       nirantar verify --vault DIR [--public-key FILE] [--data DIR | --database-url URL] [--hospital ID]

Recomputes every entry's chain hash from the first one, for every hospital (or the one named).
Prints "OK <count> entries, head <seq> <hash>" per hospital, or the first broken sequence number
and why, and exits with code 3.

With --vault, verifies the vault and compares the live ledger with it, entry by entry, per hospital
(every hospital of the database and of the vault, or the one named):
  IDENTICAL        both hold the same entries
  VAULT BEHIND     the database has N entries the vault has not pulled yet (its lag; exit 0)
  DATABASE BEHIND  the vault holds N entries the database no longer has: acknowledged data was
                   lost from the database (exit 3; restore them with nirantar restore --force)
  DIFFERENT        the first sequence number where they differ, and how: an edited or removed
                   entry (exit 3)
  NOT VAULTED      the database has entries of a hospital the vault does not hold (exit 3)

Options:
${STORE_HELP.replace('(env NIRANTAR_HOSPITAL; default demo)', '(env NIRANTAR_HOSPITAL; default: every hospital)')}
  --vault DIR          compare with this vault directory (read only; the vault may keep running)
  --public-key FILE    with --vault: trust this PEM public key for the vault's checkpoints

A hospital whose restore was interrupted (nirantar restore stopped before it had verified what it
restored) is reported as INTERRUPTED RESTORE, whatever its chain says: the database is incomplete,
and the server refuses to start on it until nirantar restore --force has finished it.

Exit codes: 0 OK (or identical, or the vault merely behind); 3 broken, different or an interrupted
restore.`,
  run: (values) =>
    withCommandStore(values, async (store) => {
      const named = (values.hospital as string | undefined) ?? process.env.NIRANTAR_HOSPITAL;
      const inDatabase = (await store.admin.query<{ id: string }>('SELECT id FROM hospital ORDER BY id')).map((h) => h.id);
      const vaultDir = values.vault as string | undefined;
      const code = vaultDir
        ? await compareAll(store.admin, vaultDir, named, inDatabase, values['public-key'] as string | undefined)
        : await verifyAll(store.admin, named ? [named] : inDatabase);
      const interrupted = (await interruptedRestores(store.admin)).filter((m) => !named || m.hospital === named);
      for (const m of interrupted) {
        console.log(`INTERRUPTED RESTORE of hospital ${m.hospital} (up to vault entry ${m.vaultSeq}, started ${m.startedAt}): ` +
          'the database is incomplete; nirantar restore --vault DIR --force finishes it');
      }
      return interrupted.length > 0 ? 3 : code;
    }),
};

async function verifyAll(db: Queryable, hospitals: string[]): Promise<number> {
  let broken = false;
  for (const hospitalId of hospitals) {
    const result = await verifyLedger(db, hospitalId);
    if (result.ok) {
      console.log(`OK ${result.count} entries, head ${result.headSeq} ${result.headHash} (hospital ${hospitalId})`);
    } else {
      broken = true;
      console.log(`BROKEN at sequence ${result.brokenAt}: ${result.reason} (hospital ${hospitalId}; the ${result.count} entries before it are intact)`);
    }
  }
  if (hospitals.length === 0) console.log('OK 0 entries: no hospital has a ledger yet');
  return broken ? 3 : 0;
}

async function compareAll(db: Queryable, vaultDir: string, named: string | undefined, inDatabase: string[], publicKeyFile: string | undefined): Promise<number> {
  const config = await readVaultConfig(vaultDir);
  if (!config) {
    console.error(`nirantar verify: ${vaultDir} is not a vault (it has no vault.json)`);
    return 3;
  }
  const publicKey = publicKeyFile ? readFileSync(publicKeyFile, 'utf8') : undefined;
  const hospitals = named ? [named] : [...new Set([...inDatabase, ...Object.keys(config.hospitals)])].sort();
  let differ = false;
  for (const hospital of hospitals) {
    const result = await compareWithVault(db, vaultDir, hospital, { publicKey });
    console.log(`${describeComparison(result)} (hospital ${hospital})`);
    if (result.state !== 'identical' && result.state !== 'vault-behind') differ = true;
  }
  if (hospitals.length === 0) console.log('IDENTICAL 0 entries: neither the database nor the vault holds a hospital yet');
  return differ ? 3 : 0;
}

export function describeComparison(r: VaultComparison): string {
  switch (r.state) {
    case 'identical':
      return `IDENTICAL ${r.databaseHead} entries, head ${r.databaseHead} ${r.headHash}`;
    case 'vault-behind':
      return `VAULT BEHIND by ${r.databaseHead - r.vaultHead} entries: the database's head is ${r.databaseHead}, the vault's ${r.vaultHead}; entries 1..${r.vaultHead} are identical`;
    case 'database-behind':
      return `DATABASE BEHIND THE VAULT by ${r.vaultHead - r.databaseHead} entries: the vault holds entries ${r.databaseHead + 1}..${r.vaultHead}, ` +
        `which the database no longer has (acknowledged data was lost from the database); entries 1..${r.databaseHead} are identical`;
    case 'different':
      return `DIFFERENT at sequence ${r.seq}: ${r.reason}; entries 1..${r.seq - 1} are identical (database head ${r.databaseHead}, vault head ${r.vaultHead})`;
    case 'vault-broken':
      return `VAULT BROKEN at ${r.seq === null ? 'its checkpoints' : `sequence ${r.seq}`}: ${r.reason}; nothing can be compared with it (nirantar vault --verify)`;
    case 'not-vaulted':
      return `NOT VAULTED: the database holds ${r.databaseHead} entries, the vault none`;
  }
}
