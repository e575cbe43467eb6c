/** nirantar rebuild: throw the projections away and rebuild them from the ledger alone. */
import { rebuildProjections } from '../store/rebuild.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const rebuildCommand: Command = {
  name: 'rebuild',
  summary: 'rebuild current state and search indexes from the ledger',
  options: { ...STORE_OPTIONS },
  help: `Usage: nirantar rebuild [--data DIR | --database-url URL]

Verifies the ledger and rebuilds every projection from it (resource versions, current state,
search index, idempotency keys) in one transaction. Stop the server first.

Options:
${STORE_HELP}`,
  run: (values) =>
    withCommandStore(values, async (store) => {
      const started = Date.now();
      const result = await rebuildProjections(store.admin, {
        onProgress: (p) => process.stderr.write(`\r${p.entries} entries, ${p.versions} resource versions`),
      });
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write('\n');
      console.log(`Rebuilt ${result.versions} resource versions from ${result.entries} ledger entries in ${seconds.toFixed(1)} s (${Math.round(result.versions / Math.max(seconds, 0.001))} resources/s)`);
      return 0;
    }),
};
