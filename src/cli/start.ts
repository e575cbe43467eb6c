/** nirantar start: the server, on the embedded PostgreSQL unless DATABASE_URL says otherwise. */
import { resolve } from 'node:path';
import { startServer } from '../server.js';
import { seedDemoHospital, hospitalIsEmpty } from '../hospital/seed/seed-hospital.js';
import { createDemoAccounts } from '../hospital/seed/demo-accounts.js';
import { seedDemoSchedules } from '../departments/opd/demo-schedules.js';
import { STORE_HELP, STORE_OPTIONS, storeSettings, type Command } from './command.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'run the server (seeds the demo hospital on first start)',
  options: {
    ...STORE_OPTIONS, port: { type: 'string', short: 'p' }, host: { type: 'string' }, 'no-seed': { type: 'boolean' },
    ack: { type: 'string' }, 'vault-fallback': { type: 'string' }, 'vault-timeout': { type: 'string' },
  },
  help: `Usage: nirantar start [--port P] [--data DIR]

Runs the Nirantar server: the FHIR R4 API under /fhir/R4. On the first start of a hospital with an
empty ledger it loads the demo hospital (departments, staff, wards and beds, lab catalogue, tariff).

Options:
  -p, --port P         port to listen on (env PORT; default 8080)
  --host H             address to listen on (env HOST; default 127.0.0.1)
  --no-seed            do not load the demo hospital into an empty ledger
  --ack local|vault    acknowledge writes once durable in PostgreSQL (local, default) or also in
                       a vault (env NIRANTAR_ACK)
  --vault-fallback local|refuse
                       with --ack vault, when no vault confirms in time: acknowledge locally and
                       raise an alarm (local, default) or refuse the write with 503
  --vault-timeout MS   how long a write waits for the vault (default 2000)
${STORE_HELP}

Every API call needs a bearer token. Set NIRANTAR_BOOTSTRAP_TOKEN to choose the bootstrap admin
token; without it one is generated at the first start and printed once.`,
  async run(values) {
    const settings = storeSettings(values);
    const port = Number(values.port ?? process.env.PORT ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
    const ack = ((values.ack as string | undefined) ?? process.env.NIRANTAR_ACK ?? 'local') as 'local' | 'vault';
    if (ack !== 'local' && ack !== 'vault') throw new Error(`--ack must be local or vault, got "${ack}"`);
    const vaultFallback = ((values['vault-fallback'] as string | undefined) ?? 'local') as 'local' | 'refuse';
    if (vaultFallback !== 'local' && vaultFallback !== 'refuse') throw new Error(`--vault-fallback must be local or refuse`);
    const vaultTimeoutMs = Number(values['vault-timeout'] ?? 2000);
    if (!Number.isInteger(vaultTimeoutMs) || vaultTimeoutMs < 1) throw new Error('--vault-timeout must be a number of milliseconds');
    const server = await startServer({
      ack, vaultFallback, vaultTimeoutMs,
      port, host: (values.host as string | undefined) ?? process.env.HOST, dataDir: resolve(settings.dataDir),
      databaseUrl: settings.databaseUrl, hospitalId: settings.hospitalId, bootstrapToken: process.env.NIRANTAR_BOOTSTRAP_TOKEN,
      logger: process.env.NIRANTAR_LOG === '1',
    });
    let demo: { usernames: string[]; password: string } | undefined;
    if (!values['no-seed'] && (await hospitalIsEmpty(server.store.app, server.hospitalId))) {
      const counts = await seedDemoHospital(server.repo, server.hospitalId);
      console.log(`Loaded the demo hospital: ${Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ')}`);
      const opd = await seedDemoSchedules(server.repo, server.hospitalId);
      console.log(`Opened the OPD: ${opd.schedules} doctors' schedules, ${opd.slots} slots for the next two weeks`);
      demo = await createDemoAccounts(server.store.app, server.hospitalId);
    }
    console.log(`Nirantar is running at ${server.url}`);
    console.log(`  The desks (browser): ${server.url}/`);
    console.log(`  FHIR R4 API: ${server.url}/fhir/R4   (try ${server.url}/fhir/R4/metadata)`);
    console.log(`  Storage: ${server.store.embedded ? `embedded PostgreSQL in ${resolve(settings.dataDir)}` : 'external PostgreSQL (DATABASE_URL)'}`);
    if (demo) {
      console.log(`  Demo sign-in (shown once): password ${demo.password}`);
      console.log(`    usernames: ${demo.usernames.join(', ')}`);
      console.log(`    e.g. curl -c cookies -H 'content-type: application/json' -d '{"username":"reception","password":"${demo.password}"}' ${server.url}/auth/login`);
    }
    if (server.generatedToken) {
      console.log(`  Log in with this bootstrap admin token (shown once; keep it safe):`);
      console.log(`    Authorization: Bearer ${server.generatedToken}`);
      console.log(`  e.g. curl -H "Authorization: Bearer ${server.generatedToken}" ${server.url}/fhir/R4/Practitioner`);
    } else {
      console.log('  Log in with the bootstrap admin token printed at the first start (or NIRANTAR_BOOTSTRAP_TOKEN).');
    }
    const stop = async () => {
      await server.close().catch(() => {});
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  },
};
