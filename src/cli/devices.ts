/**
 * nirantar devices: the device gateway, a process of its own with a credential of its own (DESIGN.md,
 * segmentation). It listens for analyzers (HL7 v2 over MLLP, ASTM over TCP), acknowledges what they
 * send once it is in the spool on this machine's disk, and forwards the spool to the server.
 */
import { resolve } from 'node:path';
import { jsonLineLogger } from '../devices/device-log.js';
import { clientCredentials, staticToken, type DeviceCredential } from '../devices/gateway/device-credential.js';
import { startDeviceGateway } from '../devices/gateway/device-gateway.js';
import type { Command } from './command.js';

export const devicesCommand: Command = {
  name: 'devices',
  summary: 'run the device gateway (lab analyzers over HL7 v2/MLLP and ASTM) with its own spool',
  options: {
    server: { type: 'string' }, 'mllp-port': { type: 'string' }, 'astm-port': { type: 'string' }, spool: { type: 'string' },
    host: { type: 'string' }, token: { type: 'string' }, 'client-id': { type: 'string' }, 'lag-interval': { type: 'string' },
    'log-level': { type: 'string' },
  },
  help: `Usage: nirantar devices --server URL --mllp-port P --astm-port Q --spool DIR [credential]

The device gateway. Analyzers connect to it; each message is written to the spool (fsync'd) before
the analyzer gets its ACK, and is then forwarded to the server in order, retried while the server is
down, resumed after a restart. Reports the server refuses go to DIR/dead-letter.jsonl with the reason.
Host queries (ASTM Q records) are asked of the server live; when it cannot answer, "no orders".
Orders from the hospital's order system (HL7 OML^O21 / ORM^O01) are placed with the lab live: the
sender's ACK is the lab's answer (AE with the reason when it refuses one or cannot be reached).

Options:
  --server URL         the Nirantar server, e.g. http://10.0.5.2:8080 (env NIRANTAR_SERVER)
  --mllp-port P        HL7 v2 over MLLP on this port (0 = any free port)
  --astm-port Q        ASTM E1381/E1394 over TCP on this port (0 = any free port)
                       (at least one of the two)
  --spool DIR          the spool directory (env NIRANTAR_DEVICE_SPOOL; default ./device-spool)
  --host H             the address to listen on, the analyzers' network (default 127.0.0.1)
  --lag-interval S     log the entries waiting to be forwarded every S seconds (default 60)
  --log-level L        debug, info (default), warn or error; logs are JSON lines on stderr, with
                       control ids and counts, never patient data

Credential (one of; the role must be device):
  env NIRANTAR_DEVICE_TOKEN   an API token (preferred to --token: a command line is visible to ps)
  --token T                   the same, on the command line
  --client-id ID              an OAuth2 client (nirantar client add --role device); its secret in
                              env NIRANTAR_DEVICE_CLIENT_SECRET`,
  async run(values) {
    const server = (values.server as string | undefined) ?? process.env.NIRANTAR_SERVER;
    if (!server || !/^https?:\/\//.test(server)) throw new Error('--server URL is required (http://host:port)');
    const mllpPort = port(values['mllp-port'], '--mllp-port');
    const astmPort = port(values['astm-port'], '--astm-port');
    if (mllpPort === undefined && astmPort === undefined) throw new Error('give --mllp-port, --astm-port or both');
    const spoolDir = resolve((values.spool as string | undefined) ?? process.env.NIRANTAR_DEVICE_SPOOL ?? './device-spool');
    const lagSeconds = Number(values['lag-interval'] ?? 60);
    if (!Number.isFinite(lagSeconds) || lagSeconds < 0) throw new Error('--lag-interval must be a number of seconds');
    const level = (values['log-level'] as string | undefined) ?? 'info';
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new Error('--log-level must be debug, info, warn or error');
    const log = jsonLineLogger(level as 'info');
    const credential = deviceCredential(values, server);

    const gateway = await startDeviceGateway({ server, credential, spoolDir, mllpPort, astmPort, host: values.host as string | undefined, log, lagIntervalMs: lagSeconds * 1000 });
    console.log('Nirantar device gateway');
    if (gateway.mllp) console.log(`  HL7 v2 (MLLP) listening on ${gateway.mllp.address}:${gateway.mllp.port}`);
    if (gateway.astm) console.log(`  ASTM (TCP) listening on ${gateway.astm.address}:${gateway.astm.port}`);
    console.log(`  Spool: ${spoolDir} (${gateway.waiting} entries waiting; refused reports in ${spoolDir}/dead-letter.jsonl)`);
    console.log(`  Forwarding to ${server} as ${values['client-id'] ? `OAuth2 client ${values['client-id']}` : 'an API token'}`);
    console.log('Device gateway ready');
    const stop = async () => {
      await gateway.close().catch(() => {});
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  },
};

function port(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
  return n;
}

/** The gateway's credential; the secret comes from the environment only and is never echoed. */
function deviceCredential(values: Record<string, string | boolean | undefined>, server: string): DeviceCredential {
  const clientId = values['client-id'] as string | undefined;
  const token = (values.token as string | undefined) ?? process.env.NIRANTAR_DEVICE_TOKEN;
  if (clientId) {
    if (values.token) throw new Error('give --token or --client-id, not both');
    const clientSecret = process.env.NIRANTAR_DEVICE_CLIENT_SECRET;
    if (!clientSecret) throw new Error('--client-id needs the client secret in env NIRANTAR_DEVICE_CLIENT_SECRET');
    return clientCredentials({ server, clientId, clientSecret });
  }
  if (!token) throw new Error('a credential is required: env NIRANTAR_DEVICE_TOKEN, --token, or --client-id with env NIRANTAR_DEVICE_CLIENT_SECRET');
  return staticToken(token);
}
