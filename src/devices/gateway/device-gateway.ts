/**
 * The device gateway process's parts, put together: MLLP and ASTM listeners whose lab handlers write
 * to the spool, the forwarder that drains the spool into the server, and a periodic log of the lag.
 * `nirantar devices` (src/cli/devices.ts) is the command line around it; tests start it in-process.
 */
import type { AddressInfo } from 'node:net';
import { createAstmLabHandler } from '../astm-lab-handler.js';
import { createAstmServer, type AstmServer } from '../astm-server.js';
import { silentLogger, type DeviceLogger } from '../device-log.js';
import { createHl7LabHandler } from '../hl7-lab-handler.js';
import { createMllpServer, type MllpServer } from '../mllp-server.js';
import { DeadLetterFile } from './dead-letter.js';
import type { DeviceCredential } from './device-credential.js';
import { Forwarder } from './forwarder.js';
import { LabDeviceClient } from './lab-device-client.js';
import { SpoolCursor } from './spool-cursor.js';
import { SpoolReader } from './spool-reader.js';
import { spoolingSink } from './spooling-sink.js';
import { Spool } from './spool.js';

export interface DeviceGatewayOptions {
  /** The Nirantar server's base URL, e.g. http://10.0.5.2:8080 */
  readonly server: string;
  readonly credential: DeviceCredential;
  readonly spoolDir: string;
  /** Ports to listen on (0 = any free port); a protocol whose port is undefined is not served. */
  readonly mllpPort?: number;
  readonly astmPort?: number;
  /** Address the listeners bind to (default 127.0.0.1; the analyzers' VLAN address in a hospital). */
  readonly host?: string;
  readonly log?: DeviceLogger;
  /** How often the lag is logged (default 60 s; 0 = never). */
  readonly lagIntervalMs?: number;
  /** How long an analyzer's host query waits for the server before it is answered "no orders" (default 5 s). */
  readonly queryTimeoutMs?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly maxSegmentBytes?: number;
}

export interface DeviceGateway {
  readonly mllp?: AddressInfo;
  readonly astm?: AddressInfo;
  readonly spool: Spool;
  readonly forwarder: Forwarder;
  /** Entries on the gateway's disk not yet confirmed by the server. */
  readonly waiting: number;
  /** Stops listening, then forwarding (what is unconfirmed stays spooled for the next start). */
  close(): Promise<void>;
}

export async function startDeviceGateway(options: DeviceGatewayOptions): Promise<DeviceGateway> {
  const log = options.log ?? silentLogger;
  const spool = await Spool.open(options.spoolDir, { log, maxSegmentBytes: options.maxSegmentBytes });
  const cursor = await SpoolCursor.open(options.spoolDir);
  const client = new LabDeviceClient(options.server, options.credential);
  const forwarder = new Forwarder({
    spool, cursor, reader: new SpoolReader(spool, cursor.savedSeq, log), deadLetters: new DeadLetterFile(options.spoolDir),
    forward: (entry) => client.forward(entry), log, retryMinMs: options.retryMinMs, retryMaxMs: options.retryMaxMs,
  });
  const sink = spoolingSink({
    spool, log, query: (q) => client.query(q, options.queryTimeoutMs ?? 5000), placeOrders: (m) => client.placeOrders(m, options.queryTimeoutMs ?? 5000),
  });
  const servers: (MllpServer | AstmServer)[] = [];
  const listen = async (server: MllpServer | AstmServer, port: number | undefined) => {
    if (port === undefined) return undefined;
    servers.push(server);
    return server.listen(port, options.host);
  };
  try {
    const mllp = await listen(createMllpServer({ handler: createHl7LabHandler(sink), log }), options.mllpPort);
    const astm = await listen(createAstmServer({ handler: createAstmLabHandler(sink), log }), options.astmPort);
    forwarder.start();
    log({ level: 'info', event: 'gateway.started', waiting: forwarder.waiting, lastSeq: spool.lastSeq, confirmedSeq: cursor.savedSeq });
    const lagTimer = options.lagIntervalMs === 0 ? undefined : setInterval(() => {
      log({ level: 'info', event: 'gateway.lag', waiting: forwarder.waiting, lastSeq: spool.lastSeq, ...forwarder.stats });
    }, options.lagIntervalMs ?? 60_000);
    lagTimer?.unref();
    let closing: Promise<void> | undefined;
    return {
      mllp, astm, spool, forwarder,
      get waiting() { return forwarder.waiting; },
      // Once: a second close (a shutdown signal during a shutdown) waits for the first.
      close() {
        closing ??= (async () => {
          clearInterval(lagTimer);
          await Promise.all(servers.map((s) => s.close()));
          await forwarder.stop();
          await spool.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await Promise.all(servers.map((s) => s.close().catch(() => {})));
    await spool.close();
    throw err;
  }
}
