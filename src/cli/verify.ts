/** nirantar verify: walk the hash chain and say OK or where it breaks. */
import { resolve } from 'node:path';
import { verifyLedger } from '../store/ledger-verify.js';
import { openStore } from '../store/open-store.js';
import { STORE_HELP, STORE_OPTIONS, storeSettings, type Command } from './command.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "check the ledger's hash chain end to end",
  options: { ...STORE_OPTIONS },
  help: `Usage: nirantar verify [--data DIR | --database-url URL] [--hospital ID]

Recomputes every entry's chain hash from the first one. Prints "OK <count> entries, head <hash>",
or the first broken sequence number and why, and exits non-zero.

Options:
${STORE_HELP}`,
  async run(values) {
    const settings = storeSettings(values);
    const store = await openStore({ dataDir: resolve(settings.dataDir), databaseUrl: settings.databaseUrl, poolSize: 2 });
    try {
      const result = await verifyLedger(store.admin, settings.hospitalId);
      if (result.ok) {
        console.log(`OK ${result.count} entries, head ${result.headSeq} ${result.headHash} (hospital ${settings.hospitalId})`);
        return 0;
      }
      console.log(`BROKEN at sequence ${result.brokenAt}: ${result.reason} (hospital ${settings.hospitalId}; ${result.count} entries before it are intact)`);
      return 3;
    } finally {
      await store.close();
    }
  },
};
