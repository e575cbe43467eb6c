/** nirantar restore: the vault back into a PostgreSQL (embedded under --data, or DATABASE_URL). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { progressLine } from '../vault/restore-progress.js';
import { RestoreFailure, RestoreRefusal, restoreVault } from '../vault/restore.js';
import { STORE_OPTIONS, storeSettings, withCommandStore, type Command } from './command.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore the database from a vault (verified, resumable)',
  options: { ...STORE_OPTIONS, vault: { type: 'string' }, force: { type: 'boolean' }, 'public-key': { type: 'string' }, chunk: { type: 'string' } },
  help: `Usage: nirantar restore --vault DIR [--data DIR | --database-url URL] [--hospital ID[,ID…]] [--force]

Rebuilds the database from a vault, e.g. after the servers were encrypted. First verifies the vault
end to end (every entry hash, the chain across segments, every signed checkpoint) and refuses, naming
the sequence number, if anything is wrong: nothing is written then. Then loads the ledger (COPY, in
chunks that commit one by one), rebuilds current state and search indexes from it, verifies the
restored ledger and prints its state hash. Progress (entries/s, resource versions/s, ETA) on stderr.

The last line is "RESTORED <entries> entries, <resources> resources, head <seq> <hash>, state <hash>"
per hospital, printed only when everything was loaded, rebuilt and verified.

A target that already holds entries of a hospital is refused. With --force, a target whose entries
are an intact prefix of the vault's (an interrupted restore, or a database behind the vault) is
continued after them; anything else is still refused: entries are never overwritten or deleted.

Options:
  --vault DIR          the vault directory (read only; a running vault may keep appending)
  --data DIR           restore into the embedded PostgreSQL of this data directory (env
                       NIRANTAR_DATA; default ./data); use a new, empty directory
  --database-url URL   restore into this PostgreSQL database instead (env DATABASE_URL)
  --hospital ID        only these hospitals, comma-separated (default: every hospital in the vault)
  --force              continue an interrupted restore (see above)
  --public-key FILE    trust this PEM public key for checkpoint signatures (one recorded when the
                       vault was made) instead of the key in the vault's own vault.json
  --chunk N            ledger entries per committed chunk (default 50000)

API tokens are not in the ledger, so a restored database has none: start the server with
NIRANTAR_BOOTSTRAP_TOKEN set, or let it generate a bootstrap token on its first start.

Exit codes: 0 restored and verified; 1 the restore failed part way (the target holds an interrupted
restore, which the server refuses to start on: run again with --force, or use a fresh target); 2 bad options; 3 refused (damaged vault,
unsuitable target): nothing was written.`,
  async run(values) {
    const vaultDir = values.vault as string | undefined;
    if (!vaultDir) return usageError('--vault is required');
    const chunk = values.chunk === undefined ? undefined : Number(values.chunk);
    if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1)) return usageError('--chunk must be a positive whole number');
    const publicKeyFile = values['public-key'] as string | undefined;
    const publicKey = publicKeyFile ? readFileSync(publicKeyFile, 'utf8') : undefined;
    const hospitals = (values.hospital as string | undefined)?.split(',').map((h) => h.trim()).filter(Boolean);
    const settings = storeSettings(values);
    const where = settings.databaseUrl ? 'the PostgreSQL database of --database-url/DATABASE_URL' : `the embedded PostgreSQL in ${resolve(settings.dataDir)}`;
    const progress = progressLine();
    const started = Date.now();
    try {
      const restored = await withCommandStore(values, (store) => restoreVault(store, {
        vaultDir: resolve(vaultDir), hospitals, force: Boolean(values.force), publicKey, chunk: { entries: chunk }, onProgress: (p) => progress.update(p),
      }));
      progress.finish();
      const seconds = (Date.now() - started) / 1000;
      const versions = restored.reduce((n, r) => n + r.versions, 0);
      console.log(`Restored into ${where} in ${seconds.toFixed(1)} s (${Math.round(versions / Math.max(seconds, 0.001))} resource versions/s, verification included)`);
      for (const r of restored) {
        const resumed = r.loadedEntries < r.entries ? ` (${r.entries - r.loadedEntries} were already there from an interrupted restore)` : '';
        console.log(`  hospital ${r.hospital}: ${r.entries} entries${resumed}, ${r.versions} resource versions`);
        if (r.checkpointedSeq < r.head.seq) {
          console.log(`  note: entries ${r.checkpointedSeq + 1}..${r.head.seq} of hospital ${r.hospital} come after the vault's last signed checkpoint; they are verified by the hash chain only`);
        }
      }
      for (const r of restored) {
        console.log(`RESTORED ${r.entries} entries, ${r.resources} resources, head ${r.head.seq} ${r.head.hash}, state ${r.state}${restored.length > 1 ? ` (hospital ${r.hospital})` : ''}`);
      }
      return 0;
    } catch (err) {
      progress.finish();
      if (err instanceof RestoreRefusal) {
        console.error(`nirantar restore: REFUSED: ${err.message}`);
        return 3;
      }
      if (err instanceof RestoreFailure) {
        console.error(`nirantar restore: FAILED: ${err.message}\n` +
          `The target holds an interrupted restore: the server refuses to start on it until it is finished. Run the same command with --force to continue it, or restore into a fresh target.`);
        return 1;
      }
      throw err;
    }
  },
};

function usageError(message: string): number {
  console.error(`nirantar restore: ${message}\n\n${restoreCommand.help}`);
  return 2;
}
