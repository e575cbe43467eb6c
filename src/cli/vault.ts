/**
 * nirantar vault: the vault process (run it on another host, under another account). It connects
 * out to the server and pulls; nothing on the server side can write to it or delete from it.
 * With --verify it only checks a vault directory and exits, for operators and auditors.
 */
import { readFileSync } from 'node:fs';
import { runVault } from '../vault/vault-puller.js';
import { readVaultConfig } from '../vault/vault-config.js';
import { verifyVault } from '../vault/vault-verify.js';
import type { Command } from './command.js';

export const vaultCommand: Command = {
  name: 'vault',
  summary: 'keep a verified, append-only, signed copy of the ledger (pulls from the server)',
  options: {
    dir: { type: 'string' },
    server: { type: 'string' },
    hospital: { type: 'string' },
    credential: { type: 'string' },
    verify: { type: 'boolean' },
    'public-key': { type: 'string' },
  },
  help: `Usage: nirantar vault --dir DIR --server URL [--hospital ID[,ID…]] [--credential TOKEN]
       nirantar vault --verify --dir DIR [--hospital ID] [--public-key FILE]

Runs the vault: pulls each hospital's ledger from the server's replication API, checks every entry
continues the hash chain it already holds, stores it in append-only segment files (fsynced before it
counts), reports to the server how far it holds (so writes can be acknowledged once vaulted), and signs
checkpoints with its own Ed25519 key. The first run makes the vault in DIR, which must be empty or new.
It survives the server being down (it retries, up to once a minute). If the server offers a history
that differs from what the vault holds, or is another hospital's server, the vault refuses, logs it
and stops pulling that hospital, keeping everything it has. Runs until SIGINT/SIGTERM; stops after the
current append. Logs go to stderr, one line per event; entry contents are never logged.

Options:
  --dir DIR            the vault directory (keep it on a separate host and disk)
  --server URL         base URL of the Nirantar server, e.g. https://his.example.org
  --hospital ID        hospital(s) to pull, comma-separated (env NIRANTAR_HOSPITAL; default demo)
  --credential TOKEN   the read-only vault credential the server issued (prefer env
                       NIRANTAR_VAULT_CREDENTIAL: a command line is visible to other users)
  --verify             check the vault instead: every entry hash, the chain across segments, every
                       checkpoint signature and that each checkpoint matches its entry; prints
                       "OK …" or "BROKEN at …" per hospital (every bound hospital unless --hospital)
  --public-key FILE    with --verify: trust this PEM public key (one recorded when the vault was made)
                       instead of the key in DIR/vault.json

Exit codes: 0 stopped on request or verified OK; 1 could not start; 2 bad options;
3 refused (or, with --verify, damaged): a person must look. Tell the supervisor not to restart on 3.`,
  async run(values) {
    const dir = values.dir as string | undefined;
    if (!dir) return usageError('--dir is required');
    const named = ((values.hospital as string | undefined) ?? process.env.NIRANTAR_HOSPITAL)?.split(',').map((h) => h.trim()).filter(Boolean);
    if (values.verify) return verify(dir, named, values['public-key'] as string | undefined);
    const server = values.server as string | undefined;
    const credential = (values.credential as string | undefined) ?? process.env.NIRANTAR_VAULT_CREDENTIAL;
    if (!server) return usageError('--server is required');
    if (!/^https?:\/\//.test(server)) return usageError(`--server must be an http(s) URL, got "${server}"`);
    if (!credential) return usageError('a credential is required: --credential or env NIRANTAR_VAULT_CREDENTIAL');

    const controller = new AbortController();
    const stop = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) {
        process.stderr.write(`nirantar vault: second ${signal}, exiting without waiting\n`);
        process.exit(130);
      }
      process.stderr.write(`nirantar vault: ${signal}, stopping after the current append\n`);
      controller.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    runVault({ dir, server, credential, hospitals: named, signal: controller.signal }).then(
      (outcomes) => {
        for (const o of outcomes) console.log(`${o.state === 'refused' ? 'REFUSED' : 'STOPPED'} hospital ${o.hospital}: holds entries up to ${o.headSeq} ${o.headHash}${o.reason ? `; ${o.reason}` : ''}`);
        process.exit(outcomes.some((o) => o.state === 'refused') ? 3 : 0);
      },
      (err) => {
        console.error(`nirantar vault: ${(err as Error).message}`);
        process.exit(1);
      },
    );
    return -1;
  },
};

async function verify(dir: string, named: string[] | undefined, publicKeyFile: string | undefined): Promise<number> {
  const config = await readVaultConfig(dir);
  if (!config) {
    console.error(`nirantar vault: ${dir} is not a vault (no vault.json)`);
    return 1;
  }
  const publicKey = publicKeyFile ? readFileSync(publicKeyFile, 'utf8') : undefined;
  const hospitals = named?.length ? named : Object.keys(config.hospitals).sort();
  if (hospitals.length === 0) console.log('OK 0 entries: the vault holds no hospital yet');
  let broken = false;
  for (const hospital of hospitals) {
    const r = await verifyVault(dir, hospital, { publicKey });
    if (r.ok) {
      console.log(`OK ${r.count} entries, head ${r.headSeq} ${r.headHash}, ${r.checkpoints} signed checkpoints up to ${r.checkpointedSeq} (hospital ${hospital})`);
    } else {
      broken = true;
      const at = r.seq === null ? (r.checkpoint ? `checkpoint line ${r.checkpoint}` : 'the start') : `sequence ${r.seq}`;
      const intact = r.count > 0 ? `; the ${r.count} entries before it are intact` : '';
      console.log(`BROKEN at ${at}: ${r.reason} (hospital ${hospital}${intact})`);
    }
  }
  return broken ? 3 : 0;
}

function usageError(message: string): number {
  console.error(`nirantar vault: ${message}\n\n${vaultCommand.help}`);
  return 2;
}
