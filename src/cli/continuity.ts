/** nirantar continuity: serve a vault's data read-only on another machine while the main system is down. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startContinuity } from '../vault/continuity.js';
import { progressLine } from '../vault/restore-progress.js';
import { RestoreRefusal } from '../vault/restore.js';
import type { Command } from './command.js';

export const continuityCommand: Command = {
  name: 'continuity',
  summary: 'serve the FHIR API read-only from a fresh restore of a vault',
  options: {
    vault: { type: 'string' }, port: { type: 'string', short: 'p' }, host: { type: 'string' }, data: { type: 'string' },
    hospital: { type: 'string' }, 'public-key': { type: 'string' },
  },
  help: `Usage: nirantar continuity --vault DIR --port P [--data DIR] [--hospital ID[,ID…]]

For use while the main system is down: restores the vault (verified end to end, as nirantar restore
does) into a fresh embedded PostgreSQL and serves the FHIR R4 API from it, READ-ONLY. Reads,
searches and history work; every write is refused with 503 ("read-only continuity server: the main
system is down; writes are refused"), because it would fork the hospital's history.

API tokens are not in the vault: a bootstrap token is printed for each hospital (the first one is
NIRANTAR_BOOTSTRAP_TOKEN if set). Runs until SIGINT/SIGTERM.

Options:
  --vault DIR          the vault directory (read only)
  -p, --port P         port to listen on (default 8080)
  --host H             address to listen on (default 127.0.0.1)
  --data DIR           keep the restored database here (a later start catches it up from the vault);
                       default a temporary directory, removed when the server stops
  --hospital ID        only these hospitals, comma-separated (default: every hospital in the vault)
  --public-key FILE    trust this PEM public key for the vault's checkpoint signatures

Exit codes: 1 could not restore or start; 2 bad options; 3 refused (damaged vault).`,
  async run(values) {
    const vaultDir = values.vault as string | undefined;
    if (!vaultDir) return usageError('--vault is required');
    const port = Number(values.port ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`--port must be a port number, got "${values.port}"`);
    const publicKeyFile = values['public-key'] as string | undefined;
    const progress = progressLine();
    let running;
    try {
      running = await startContinuity({
        vaultDir: resolve(vaultDir), port, host: values.host as string | undefined, dataDir: values.data as string | undefined,
        hospitals: (values.hospital as string | undefined)?.split(',').map((h) => h.trim()).filter(Boolean),
        publicKey: publicKeyFile ? readFileSync(publicKeyFile, 'utf8') : undefined,
        bootstrapToken: process.env.NIRANTAR_BOOTSTRAP_TOKEN || undefined,
        onProgress: (p) => progress.update(p),
      });
    } catch (err) {
      progress.finish();
      if (err instanceof RestoreRefusal) {
        console.error(`nirantar continuity: REFUSED: ${err.message}`);
        return 3;
      }
      throw err;
    }
    progress.finish();
    console.log(`Nirantar CONTINUITY server (read-only) is running at ${running.url}`);
    console.log(`  FHIR R4 API: ${running.url}/fhir/R4 — reads, searches and history work; writes are refused (503)`);
    console.log(`  Restored database: embedded PostgreSQL in ${running.dataDir}${running.temporary ? ' (temporary: removed when this server stops)' : ''}`);
    for (const r of running.restored) {
      console.log(`  hospital ${r.hospital}: restored ${r.entries} entries, ${r.resources} resources, head ${r.head.seq} ${r.head.hash}, state ${r.state}`);
    }
    console.log('  Log in with these bootstrap tokens (valid on this continuity server only; keep them safe):');
    for (const { hospital, token } of running.tokens) console.log(`    hospital ${hospital}: Authorization: Bearer ${token}`);
    if (running.tokens[0]) console.log(`  e.g. curl -H "Authorization: Bearer ${running.tokens[0].token}" ${running.url}/fhir/R4/Patient?_count=10`);
    const stop = async () => {
      await running.close().catch(() => {});
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  },
};

function usageError(message: string): number {
  console.error(`nirantar continuity: ${message}\n\n${continuityCommand.help}`);
  return 2;
}
