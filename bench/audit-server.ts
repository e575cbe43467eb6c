/**
 * The server for bench/audit.ts, in its own process: `startServer` with auditing on or off. Auditing
 * cannot be turned off from the product's command line on purpose; only this benchmark does it, to
 * measure what it costs. Args: <port> <database url> <on|off>. Bulk-read limits are lifted (the
 * benchmark reads far more than any desk), so the guard's own check still runs but never refuses.
 */
import { startServer } from '../src/server.js';

const [port, databaseUrl, audit] = process.argv.slice(2);
const server = await startServer({
  port: Number(port), dataDir: '', databaseUrl, audit: audit === 'on', bootstrapToken: process.env.NIRANTAR_BOOTSTRAP_TOKEN,
  bulkReadLimits: { 'registration-clerk': null },
});
console.log(`is running at ${server.url} (audit ${audit})`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
