/**
 * MLLP client: sends messages on one connection and resolves each with its ACK, in order (MLLP has no
 * correlation besides order and MSA-2). Used by tests and benchmarks, and by the gateway to send
 * OML^O21 orders to analyzers that take their worklist over HL7.
 */
import net from 'node:net';
import { MllpDecoder, encodeMllp } from './mllp-framing.js';
import { readAckCode } from './hl7-ack.js';

export interface MllpAck {
  /** MSA-1: AA, AE, AR (or CA/CE/CR from enhanced-mode peers). */
  readonly code: string;
  /** MSA-2, the control id being acknowledged. */
  readonly controlId: string;
  readonly reason: string;
  readonly text: string;
}

export class MllpClient {
  private readonly decoder = new MllpDecoder(16 * 1024 * 1024);
  private readonly waiting: { resolve: (a: MllpAck) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private closed = false;

  private constructor(private readonly socket: net.Socket, private readonly ackTimeoutMs: number) {
    socket.setNoDelay(true);
    socket.on('data', (data) => {
      for (const ev of this.decoder.push(data)) {
        if (ev.type !== 'message') continue;
        const text = ev.bytes.toString('utf8');
        const msa = readAckCode(text);
        const next = this.waiting.shift();
        if (!next) continue;
        clearTimeout(next.timer);
        next.resolve({ code: msa?.code ?? '', controlId: msa?.controlId ?? '', reason: msa?.reason ?? '', text });
      }
    });
    const fail = (err: Error) => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) { clearTimeout(w.timer); w.reject(err); }
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before the ACK arrived')));
  }

  static connect(port: number, host = '127.0.0.1', ackTimeoutMs = 30_000): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => { socket.off('error', reject); resolve(new MllpClient(socket, ackTimeoutMs)); });
      socket.once('error', reject);
    });
  }

  /** Sends one message (text, or exact bytes for replay) and resolves with its ACK. */
  send(message: string | Buffer): Promise<MllpAck> {
    return this.sendRaw(encodeMllp(message));
  }

  /** Sends already-framed bytes (or deliberately broken ones) and waits for one ACK. */
  sendRaw(bytes: Buffer): Promise<MllpAck> {
    if (this.closed) return Promise.reject(new Error('connection is closed'));
    const p = new Promise<MllpAck>((resolve, reject) => {
      // ACKs correlate by order only: after a lost ACK every later one would be misattributed, so a
      // timeout ends the connection (the 'close' handler rejects whatever is still waiting).
      const timer = setTimeout(() => this.socket.destroy(new Error(`no ACK within ${this.ackTimeoutMs} ms`)), this.ackTimeoutMs);
      this.waiting.push({ resolve, reject, timer });
    });
    this.socket.write(bytes);
    return p;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}
