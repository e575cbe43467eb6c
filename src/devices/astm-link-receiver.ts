/**
 * Receiver side of the ASTM E1381 / LIS1-A data link. After an ENQ it ACKs every good frame and NAKs
 * a frame with a bad checksum, a frame number out of sequence, a missing check field or a forbidden
 * character (LF) inside, and ACKs without reprocessing a repeat of the frame it last accepted (the
 * sender missed our ACK). EOT ends the transmission. Frame bodies go to `onFrame`, which may take its
 * time (the lab storing a finished message): the reply is withheld until it answers, and a refusal is
 * a NAK, so the instrument keeps the data and retransmits.
 *
 * Tolerances for real captures: the CR LF after the checksum may be missing or reduced to one of them
 * (the frame is complete at its second check character), bytes between frames are ignored, and
 * lower-case hex check characters are accepted.
 */
import { ACK, ENQ, EOT, ETB, ETX, LF, NAK, STX, astmChecksum } from './astm-control.js';

export interface AstmReceiverHooks {
  /** A good, new frame: its text (without frame number), and whether it ends with ETX. */
  onFrame(text: Buffer, final: boolean, frameNumber: number): Promise<boolean> | boolean;
  /** The transmission ended: EOT, a new ENQ mid-transmission, or the receiver timer. */
  onEnd(reason: 'eot' | 'restart' | 'timeout'): void;
  reply(byte: number): void;
  /** Frames refused, with the reason (for logs and tests). */
  onReject?(reason: string, frameNumber?: number): void;
}

type State = 'neutral' | 'awaitFrame' | 'frame' | 'checksum';

export class AstmLinkReceiver {
  private state: State = 'neutral';
  private chunks: Buffer[] = [];
  private frameSize = 0;
  private oversize = false;
  private check = '';
  private expected = 1;
  private lastAccepted = -1;

  constructor(private readonly hooks: AstmReceiverHooks, private readonly maxFrameBytes = 64 * 1024) {}

  /** True between an ACKed ENQ and the end of that transmission. */
  get receiving(): boolean { return this.state !== 'neutral'; }

  /** Processes bytes in order; resolves after every reply they caused has been sent. */
  async push(data: Uint8Array): Promise<void> {
    let i = 0;
    while (i < data.length) {
      if (this.state === 'frame') {
        // Fast path: frame text runs until the next control character.
        let j = i;
        while (j < data.length && data[j] > EOT && data[j] !== ENQ && data[j] !== LF && data[j] !== ETB) j++;
        if (j > i) this.append(data.subarray(i, j));
        i = j;
        if (i >= data.length) break;
      }
      const pending = this.byte(data[i++]);
      if (pending) await pending;
    }
  }

  /** The receiver timer expired: the line is considered down, back to neutral. */
  timeout(): void {
    if (this.state === 'neutral') return;
    this.state = 'neutral';
    this.hooks.onEnd('timeout');
  }

  private byte(b: number): Promise<void> | void {
    switch (this.state) {
      case 'neutral':
        if (b === ENQ) this.establish();
        return; // everything else on an idle line is noise
      case 'awaitFrame':
        if (b === STX) { this.startFrame(); this.state = 'frame'; }
        else if (b === EOT) { this.state = 'neutral'; this.hooks.onEnd('eot'); }
        else if (b === ENQ) { this.hooks.onEnd('restart'); this.establish(); }
        return; // CR/LF trailing a frame, or noise
      case 'frame':
        return this.inFrame(b);
      case 'checksum':
        return this.inChecksum(b);
    }
  }

  private establish(): void {
    this.state = 'awaitFrame';
    this.expected = 1;
    this.lastAccepted = -1;
    this.hooks.reply(ACK);
  }

  private inFrame(b: number): void {
    if (b === ETX || b === ETB) { this.append(Buffer.from([b])); this.check = ''; this.state = 'checksum'; return; }
    if (b === LF) return this.refuse('line feed inside a frame');
    if (b === STX) { this.startFrame(); return; } // cut-off frame: start over silently
    if (b === EOT) { this.state = 'neutral'; this.hooks.onEnd('eot'); return; }
    if (b === ENQ) { this.hooks.onEnd('restart'); this.establish(); return; }
    this.append(Buffer.from([b])); // other control characters are kept: they are covered by the checksum
  }

  private startFrame(): void { this.chunks = []; this.frameSize = 0; this.oversize = false; }

  private append(part: Uint8Array): void {
    this.frameSize += part.length;
    if (this.frameSize > this.maxFrameBytes + 1) { this.oversize = true; this.chunks = []; return; }
    if (!this.oversize) this.chunks.push(Buffer.from(part));
  }

  private inChecksum(b: number): Promise<void> | void {
    const c = String.fromCharCode(b);
    if (!/[0-9A-Fa-f]/.test(c)) {
      this.refuse('check characters missing or not hexadecimal');
      if (b === STX || b === EOT || b === ENQ) return this.byte(b);
      return;
    }
    this.check += c.toUpperCase();
    if (this.check.length < 2) return;
    this.state = 'awaitFrame';
    return this.complete();
  }

  private async complete(): Promise<void> {
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    const fnChar = bytes[0];
    const fn = fnChar >= 0x30 && fnChar <= 0x37 ? fnChar - 0x30 : -1;
    if (this.oversize) return this.refuse(`frame longer than ${this.maxFrameBytes} bytes`, fn);
    if (fn < 0) return this.refuse('frame number is not 0-7');
    if (astmChecksum(bytes) !== this.check) return this.refuse('checksum mismatch', fn);
    if (fn === this.lastAccepted) { this.hooks.reply(ACK); return; } // a repeat: already have it
    if (fn !== this.expected) return this.refuse(`frame number ${fn} out of sequence (expected ${this.expected})`, fn);
    const last = bytes[bytes.length - 1];
    const accepted = await this.hooks.onFrame(Buffer.from(bytes.subarray(1, bytes.length - 1)), last === ETX, fn);
    if (!accepted) return this.refuse('receiving application could not store the message', fn);
    this.lastAccepted = fn;
    this.expected = (fn + 1) % 8;
    this.hooks.reply(ACK);
  }

  private refuse(reason: string, fn?: number): void {
    this.state = 'awaitFrame';
    this.hooks.onReject?.(reason, fn);
    this.hooks.reply(NAK);
  }
}
