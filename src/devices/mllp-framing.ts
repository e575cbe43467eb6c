/**
 * MLLP (HL7 v2 Minimal Lower Layer Protocol, release 2): each message travels as
 * <VT> message <FS><CR>. The decoder accepts frames split across TCP chunks and several frames per
 * chunk, discards bytes outside frames (line noise, telnet probes), tolerates a missing CR after FS,
 * and refuses frames over a size limit without buffering them — keeping only the head, so the
 * rejection can still quote the message's control id.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export type MllpEvent =
  | { readonly type: 'message'; readonly bytes: Buffer }
  | { readonly type: 'oversize'; readonly head: Buffer; readonly size: number }
  | { readonly type: 'discarded'; readonly bytes: number; readonly reason: string };

const HEAD_BYTES = 4096;

export class MllpDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private oversize = false;
  private skipCr = false;
  private garbage = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Feeds received bytes; returns the events they complete, in order. */
  push(data: Buffer): MllpEvent[] {
    const events: MllpEvent[] = [];
    let i = 0;
    while (i < data.length) {
      if (this.skipCr) {
        this.skipCr = false;
        if (data[i] === CR) { i++; continue; }
      }
      if (!this.inFrame) {
        const start = data.indexOf(VT, i);
        this.garbage += (start < 0 ? data.length : start) - i;
        if (start < 0) break;
        this.flushGarbage(events, 'bytes outside an MLLP frame');
        this.begin();
        i = start + 1;
        continue;
      }
      const end = data.indexOf(FS, i);
      const restart = data.indexOf(VT, i);
      if (restart >= 0 && (end < 0 || restart < end)) {
        // A new start block before the end block: the previous frame was cut off; drop it, never guess.
        this.append(data.subarray(i, restart));
        events.push({ type: 'discarded', bytes: this.size, reason: 'frame restarted before its end block' });
        this.begin();
        i = restart + 1;
        continue;
      }
      if (end < 0) { this.append(data.subarray(i)); break; }
      this.append(data.subarray(i, end));
      events.push(this.finish());
      this.skipCr = true;
      i = end + 1;
    }
    this.flushGarbage(events, 'bytes outside an MLLP frame', true);
    return events;
  }

  /** Bytes buffered in an unfinished frame (for idle-timeout diagnostics). */
  get pendingBytes(): number { return this.size; }

  private begin(): void { this.inFrame = true; this.chunks = []; this.size = 0; this.oversize = false; }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.oversize) return;
    if (this.size > this.maxMessageBytes) {
      this.oversize = true;
      const head = Buffer.concat([...this.chunks, part]).subarray(0, HEAD_BYTES);
      this.chunks = [Buffer.from(head)];
      return;
    }
    this.chunks.push(Buffer.from(part));
  }

  private finish(): MllpEvent {
    this.inFrame = false;
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    return this.oversize ? { type: 'oversize', head: bytes, size: this.size } : { type: 'message', bytes };
  }

  private flushGarbage(events: MllpEvent[], reason: string, onlyWhenIdle = false): void {
    if (this.garbage === 0 || (onlyWhenIdle && this.inFrame)) return;
    events.push({ type: 'discarded', bytes: this.garbage, reason });
    this.garbage = 0;
  }
}

/** Wraps one message (text or bytes) in an MLLP frame. */
export function encodeMllp(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return Buffer.concat([Buffer.from([VT]), body, Buffer.from([FS, CR])]);
}
