/**
 * COPY lines gathered as UTF-8 bytes in a buffer of their own, for a worker to hand to the main
 * thread by transfer (no copy). Lines are encoded a few at a time as they are added: gathering a
 * whole block as one string instead builds a rope of thousands of pieces that V8 must flatten
 * before encoding it, and makes much of a restore worker's garbage.
 */
const PENDING = 16 << 10;

export class CopyBytes {
  private buffer: Buffer;
  private used = 0;
  /** Lines not encoded yet: encoded some 16 K characters at a time, since each Buffer.write has a fixed cost. */
  private pending = '';

  constructor(initialBytes = 1 << 20) {
    // allocUnsafeSlow: never a slice of Node's shared pool, so the whole ArrayBuffer may be transferred.
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Bytes added so far (lines not encoded yet counted as one byte a character: a lower bound). */
  get length(): number {
    return this.used + this.pending.length;
  }

  add(line: string): void {
    this.pending += line;
    if (this.pending.length >= PENDING) this.encodePending();
  }

  /** The bytes added so far, as a view whose ArrayBuffer (`.buffer`) may be transferred; this CopyBytes is then spent. */
  take(): Uint8Array<ArrayBuffer> {
    this.encodePending();
    const bytes = new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.used);
    this.buffer = Buffer.alloc(0);
    this.used = 0;
    return bytes;
  }

  private encodePending(): void {
    const text = this.pending;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + text.length * 3 > this.buffer.length) this.grow(this.used + text.length * 3);
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.pending = '';
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(atLeast, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }
}
