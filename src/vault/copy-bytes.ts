/**
 * COPY lines gathered as UTF-8 bytes in a buffer of their own, for a worker to hand to the main
 * thread by transfer (no copy). Each line is encoded as it is added: gathering a block as one long
 * string instead builds a rope of millions of pieces, which V8 must flatten before encoding it
 * (measured: a tenth of a restore worker's time, and much of its garbage).
 */
export class CopyBytes {
  private buffer: Buffer;
  private used = 0;

  constructor(initialBytes = 1 << 20) {
    // allocUnsafeSlow: never a slice of Node's shared pool, so the whole ArrayBuffer may be transferred.
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  get length(): number {
    return this.used;
  }

  add(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + line.length * 3 > this.buffer.length) this.grow(this.used + line.length * 3);
    this.used += this.buffer.write(line, this.used, 'utf8');
  }

  /** The bytes added so far, as a view whose ArrayBuffer (`.buffer`) may be transferred; this CopyBytes is then spent. */
  take(): Uint8Array<ArrayBuffer> {
    const bytes = new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.used);
    this.buffer = Buffer.alloc(0);
    this.used = 0;
    return bytes;
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(atLeast, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }
}
