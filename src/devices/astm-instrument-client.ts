/**
 * The analyzer's side of an ASTM connection, for replay tests, fuzzing, benchmarks and drills: it
 * bids with ENQ, sends frames exactly as given (retransmitting a NAKed frame up to 6 times, as LIS1-A
 * requires), ends with EOT, and answers the host's own transmissions (orders) with ACKs.
 */
import net from 'node:net';
import { ACK, ENQ, EOT, ETB, ETX, MAX_FRAME_ATTEMPTS, NAK, STX, astmChecksum } from './astm-control.js';

export type AstmReply = 'ACK' | 'NAK' | 'EOT' | 'ENQ' | 'timeout' | 'closed';

export interface AstmTransmitResult {
  readonly establishment: AstmReply;
  /** Replies to each frame, in order (a NAKed frame has several). */
  readonly frameReplies: readonly AstmReply[][];
  /** True when a frame was NAKed 6 times (or unanswered) and the transmission was given up. */
  readonly aborted: boolean;
}

const NAMES: Record<number, AstmReply> = { [ACK]: 'ACK', [NAK]: 'NAK', [EOT]: 'EOT', [ENQ]: 'ENQ' };

export class AstmInstrumentClient {
  private waiter?: (r: AstmReply) => void;
  private hostFrames: string[] = [];
  private hostBuffer: number[] = [];
  private receivingHost = false;
  private readonly hostMessages: string[][] = [];
  private hostWaiters: ((records: string[]) => void)[] = [];
  private closed = false;

  private constructor(private readonly socket: net.Socket, private readonly replyTimeoutMs: number) {
    socket.setNoDelay(true);
    socket.on('data', (data) => { for (const b of data) this.onByte(b); });
    socket.on('close', () => { this.closed = true; this.resolve('closed'); });
    socket.on('error', () => { /* 'close' follows */ });
  }

  static connect(port: number, host = '127.0.0.1', replyTimeoutMs = 15_000): Promise<AstmInstrumentClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('connect', () => { s.off('error', reject); resolve(new AstmInstrumentClient(s, replyTimeoutMs)); });
      s.once('error', reject);
    });
  }

  /** One transmission: ENQ, each frame (bytes exactly as given), EOT. */
  async transmit(frames: readonly Buffer[]): Promise<AstmTransmitResult> {
    const establishment = await this.exchange(Buffer.from([ENQ]));
    const frameReplies: AstmReply[][] = [];
    if (establishment !== 'ACK') return { establishment, frameReplies, aborted: true };
    for (const frame of frames) {
      const replies: AstmReply[] = [];
      frameReplies.push(replies);
      let reply: AstmReply;
      do {
        reply = await this.exchange(frame);
        replies.push(reply);
      } while (reply === 'NAK' && replies.length < MAX_FRAME_ATTEMPTS);
      if (reply !== 'ACK' && reply !== 'EOT') {
        this.write(Buffer.from([EOT]));
        return { establishment, frameReplies, aborted: true };
      }
    }
    this.write(Buffer.from([EOT]));
    return { establishment, frameReplies, aborted: false };
  }

  /** Writes bytes without waiting for anything (fuzzing, garbage, deliberate protocol abuse). */
  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Resolves with the records of the next message the host sends (e.g. orders answering a query). */
  nextHostMessage(): Promise<string[]> {
    const ready = this.hostMessages.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.hostWaiters.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }

  get isClosed(): boolean { return this.closed; }

  private exchange(bytes: Buffer): Promise<AstmReply> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.resolve('timeout'), this.replyTimeoutMs);
      this.waiter = (r) => { clearTimeout(timer); resolve(r); };
      this.socket.write(bytes);
    });
  }

  private resolve(reply: AstmReply): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(reply);
  }

  private onByte(b: number): void {
    if (this.receivingHost) return this.onHostByte(b);
    if (b === ENQ && !this.waiter) { this.receivingHost = true; this.hostFrames = []; this.socket.write(Buffer.from([ACK])); return; }
    const name = NAMES[b];
    if (name && this.waiter) this.resolve(name);
  }

  /** Host → instrument: collect frames, check them, ACK or NAK like a real analyzer. */
  private onHostByte(b: number): void {
    if (b === EOT && this.hostBuffer.length === 0) {
      this.receivingHost = false;
      const records = this.hostFrames.join('').split('\r').filter(Boolean);
      const waiter = this.hostWaiters.shift();
      if (waiter) waiter(records); else this.hostMessages.push(records);
      return;
    }
    if (b === STX) { this.hostBuffer = []; return; }
    if (b === 0x0a) {
      const f = Uint8Array.from(this.hostBuffer);
      this.hostBuffer = [];
      const end = f.findIndex((x) => x === ETX || x === ETB);
      const ok = end > 0 && astmChecksum(f, 0, end + 1) === Buffer.from(f.subarray(end + 1, end + 3)).toString('latin1');
      if (ok) this.hostFrames.push(Buffer.from(f.subarray(1, end)).toString('latin1'));
      this.socket.write(Buffer.from([ok ? ACK : NAK]));
      return;
    }
    this.hostBuffer.push(b);
  }
}
