/** nirantar verify: walk the hash chain of each hospital and say OK or where it breaks. */
import { verifyLedger } from '../store/ledger-verify.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "check the ledger's hash chain end to end",
  options: { ...STORE_OPTIONS },
  help: `Usage: nirantar verify [--data DIR | --database-url URL] [--hospital ID]

Recomputes every entry's chain hash from the first one, for every hospital (or the one named).
Prints "OK <count> entries, head <seq> <hash>" per hospital, or the first broken sequence number
and why, and exits with code 3.

Options:
${STORE_HELP.replace('(env NIRANTAR_HOSPITAL; default demo)', '(env NIRANTAR_HOSPITAL; default: every hospital)')}`,
  run: (values) =>
    withCommandStore(values, async (store) => {
      const named = (values.hospital as string | undefined) ?? process.env.NIRANTAR_HOSPITAL;
      const hospitals = named ? [named] : (await store.admin.query<{ id: string }>('SELECT id FROM hospital ORDER BY id')).map((h) => h.id);
      let broken = false;
      for (const hospitalId of hospitals) {
        const result = await verifyLedger(store.admin, hospitalId);
        if (result.ok) {
          console.log(`OK ${result.count} entries, head ${result.headSeq} ${result.headHash} (hospital ${hospitalId})`);
        } else {
          broken = true;
          console.log(`BROKEN at sequence ${result.brokenAt}: ${result.reason} (hospital ${hospitalId}; the ${result.count} entries before it are intact)`);
        }
      }
      if (hospitals.length === 0) console.log('OK 0 entries: no hospital has a ledger yet');
      return broken ? 3 : 0;
    }),
};
