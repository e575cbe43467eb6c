/**
 * MLLP listener for HL7 v2. Each connection may carry any number of messages; they are handled one at a
 * time in arrival order and each gets its ACK before the next is read, so an analyzer never sees ACKs
 * out of order. The ACK is written only after the handler resolves (for the lab: after the results are
 * durable). Nothing a client sends can throw out of here: bad frames get AR/AE, sockets that misbehave
 * are closed, and the server keeps serving everyone else.
 */
import net from 'node:net';
import { MllpDecoder, encodeMllp, type MllpEvent } from './mllp-framing.js';
import { parseHl7Message, Hl7ErrorCode } from './hl7-parser.js';
import { buildHl7Ack, type Hl7AckCode } from './hl7-ack.js';
import type { Hl7Message } from './hl7-message.js';
import type { Hl7HandlerResult, Hl7MessageHandler } from './hl7-lab-handler.js';
import { silentLogger, type DeviceLogger } from './device-log.js';

export interface MllpServerOptions {
  readonly handler: Hl7MessageHandler;
  /** Frames larger than this are refused with AR (default 1 MiB). */
  readonly maxMessageBytes?: number;
  /** A connection with no traffic for this long is closed (default 10 minutes). */
  readonly idleTimeoutMs?: number;
  /** A handler slower than this is answered AE so the sender retries (default 30 s). */
  readonly handlerTimeoutMs?: number;
  /** MSH-3 of our ACKs when the sender did not name a receiving application. */
  readonly localApplication?: string;
  readonly log?: DeviceLogger;
}

export interface MllpServerStats { connections: number; messages: number; AA: number; AE: number; AR: number; discardedBytes: number }

export interface MllpServer {
  listen(port: number, host?: string): Promise<net.AddressInfo>;
  close(): Promise<void>;
  readonly stats: MllpServerStats;
}

export function createMllpServer(options: MllpServerOptions): MllpServer {
  const log = options.log ?? silentLogger;
  const maxBytes = options.maxMessageBytes ?? 1024 * 1024;
  const stats: MllpServerStats = { connections: 0, messages: 0, AA: 0, AE: 0, AR: 0, discardedBytes: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => serve(socket));
  server.on('error', (err) => log({ level: 'error', event: 'mllp.server.error', error: err.message }));

  function serve(socket: net.Socket): void {
    stats.connections++;
    sockets.add(socket);
    const decoder = new MllpDecoder(maxBytes);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let queue: Promise<void> = Promise.resolve();
    let busy = 0;
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs ?? 600_000);
    socket.on('timeout', () => {
      if (busy > 0) return; // a slow handler is not an idle client
      log({ level: 'info', event: 'mllp.idle_close', peer, pendingBytes: decoder.pendingBytes });
      socket.destroy();
    });
    socket.on('error', (err) => log({ level: 'warn', event: 'mllp.socket.error', peer, error: err.message }));
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (data) => {
      for (const event of decoder.push(data)) {
        busy++;
        queue = queue.then(() => handleEvent(event, socket, peer)).catch((err: Error) => {
          log({ level: 'error', event: 'mllp.internal', peer, error: err.message });
        }).finally(() => { busy--; });
      }
    });
  }

  async function handleEvent(event: MllpEvent, socket: net.Socket, peer: string): Promise<void> {
    if (event.type === 'discarded') {
      stats.discardedBytes += event.bytes;
      log({ level: 'warn', event: 'mllp.discarded', peer, bytes: event.bytes, reason: event.reason });
      return;
    }
    const ack = event.type === 'oversize' ? refuseOversize(event.head, event.size) : await acknowledge(event.bytes);
    stats.messages++;
    stats[ack.code]++;
    log({ level: ack.code === 'AA' ? 'info' : 'warn', event: 'mllp.ack', peer, controlId: ack.controlId, type: ack.type, ack: ack.code, reason: ack.reason });
    if (!socket.destroyed) socket.write(encodeMllp(ack.text));
  }

  async function acknowledge(bytes: Buffer): Promise<Ack> {
    const parsed = parseHl7Message(bytes);
    if (!parsed.ok) {
      return ack(parsed.ackCode, buildHl7Ack({ code: parsed.ackCode, original: parsed.header, delimiters: parsed.delimiters, reason: parsed.reason, errorCode: parsed.errorCode, localApplication: options.localApplication }), parsed.header?.controlId, '', parsed.reason);
    }
    const m = parsed.message;
    const type = `${m.header.messageType.code}^${m.header.messageType.trigger}`;
    const result = await runHandler(m);
    if (result !== 'AA' && 'reply' in result) return ack(result.code, result.reply, m.header.controlId, type, result.reason);
    const text = result === 'AA'
      ? buildHl7Ack({ code: 'AA', original: m.header, delimiters: m.delimiters, localApplication: options.localApplication })
      : buildHl7Ack({ code: result.code, original: m.header, delimiters: m.delimiters, reason: result.reason, errorCode: result.errorCode, location: result.location, localApplication: options.localApplication });
    return result === 'AA' ? ack('AA', text, m.header.controlId, type) : ack(result.code, text, m.header.controlId, type, result.reason);
  }

  async function runHandler(message: Hl7Message): Promise<Hl7HandlerResult> {
    const limit = options.handlerTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Hl7HandlerResult>((resolve) => {
      timer = setTimeout(() => resolve({ code: 'AE', reason: `not stored within ${limit} ms; send again`, errorCode: Hl7ErrorCode.internalError }), limit);
    });
    try {
      return await Promise.race([options.handler(message), timeout]);
    } catch (err) {
      log({ level: 'error', event: 'mllp.handler.error', controlId: message.header.controlId, error: (err as Error).message });
      return { code: 'AE', reason: 'the receiving application failed to store the message; send again', errorCode: Hl7ErrorCode.internalError };
    } finally {
      clearTimeout(timer);
    }
  }

  function refuseOversize(head: Buffer, size: number): Ack {
    // Only the MSH line is parsed: the head is cut mid-message, but MSH-10 is usually within it.
    const firstLine = head.subarray(0, Math.max(0, head.findIndex((b) => b === 0x0d || b === 0x0a)) || head.length);
    const parsed = parseHl7Message(firstLine.length > 0 ? firstLine : head);
    const header = parsed.ok ? parsed.message.header : parsed.header;
    const reason = `message of ${size} bytes exceeds the limit of ${maxBytes} bytes`;
    const text = buildHl7Ack({ code: 'AR', original: header, delimiters: parsed.ok ? parsed.message.delimiters : parsed.delimiters, reason, errorCode: Hl7ErrorCode.internalError, localApplication: options.localApplication });
    return ack('AR', text, header?.controlId, '', reason);
  }

  return {
    stats,
    listen: (port, host = '127.0.0.1') => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(server.address() as net.AddressInfo); });
    }),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

interface Ack { code: Hl7AckCode; text: string; controlId?: string; type: string; reason?: string }

function ack(code: Hl7AckCode, text: string, controlId: string | undefined, type: string, reason?: string): Ack {
  return { code, text, controlId, type, reason };
}
