/**
 * Reads the spool back in order for the forwarder, from just after a confirmed sequence number. It
 * reads only bytes the spool has fsync'd, so it never forwards what an instrument was not yet ACKed
 * for. A line that does not parse in a sealed segment (disk damage, not a crash: crashes only tear
 * the newest segment, repaired at open) is logged by position and skipped, so one bad line does not
 * hold back everything after it.
 */
import { open, stat } from 'node:fs/promises';
import { silentLogger, type DeviceLogger } from '../device-log.js';
import type { SpoolEntry } from './spool-entry.js';
import { parseSpoolLines } from './spool-segments.js';
import type { Spool } from './spool.js';

const CHUNK = 4 * 1024 * 1024;

export class SpoolReader {
  private position?: { firstSeq: number; offset: number };

  constructor(private readonly spool: Spool, private afterSeq: number, private readonly log: DeviceLogger = silentLogger) {}

  /** Up to `max` entries after the last one returned; empty when the reader has caught up. */
  async next(max = 64): Promise<SpoolEntry[]> {
    const out: SpoolEntry[] = [];
    for (;;) {
      const segments = this.spool.readableSegments();
      let i = this.position ? segments.findIndex((s) => s.segment.firstSeq === this.position!.firstSeq) : -1;
      if (i < 0) {
        // First read, or the segment was cleaned up: start at the segment holding afterSeq + 1.
        i = 0;
        segments.forEach((s, k) => { if (s.segment.firstSeq <= this.afterSeq + 1) i = k; });
        this.position = { firstSeq: segments[i].segment.firstSeq, offset: 0 };
      }
      const position = this.position!;
      const { segment, end: readable } = segments[i];
      const sealed = readable === 'file';
      const end = sealed ? (await stat(segment.path)).size : readable;
      if (position.offset < end) {
        const bytes = await readRange(segment.path, position.offset, end);
        const lines = parseSpoolLines(bytes);
        let consumed = 0;
        for (const line of lines) {
          if (out.length >= max) break;
          if (!line.entry) {
            this.log({ level: 'error', event: 'gateway.spool.bad_line', segment: segment.firstSeq, offset: position.offset + line.offset, bytes: line.end - line.offset });
          } else if (line.entry.seq > this.afterSeq) {
            out.push(line.entry);
            this.afterSeq = line.entry.seq;
          }
          consumed = line.end;
        }
        // A sealed segment ending without LF has debris at its end: skip it rather than wait for ever.
        if (lines.length === 0 && sealed && bytes.length === end - position.offset) {
          this.log({ level: 'error', event: 'gateway.spool.bad_line', segment: segment.firstSeq, offset: position.offset, bytes: bytes.length });
          consumed = bytes.length;
        }
        position.offset += consumed;
        if (out.length >= max) return out;
        if (consumed > 0) continue;
      }
      if (i >= segments.length - 1 || position.offset < end) return out;
      this.position = { firstSeq: segments[i + 1].segment.firstSeq, offset: 0 };
    }
  }
}

/** Reads [from, to) when it is small, else the first few MiB (growing until it holds one whole line). */
async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    let length = Math.min(to - from, CHUNK);
    for (;;) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, from);
      const bytes = buffer.subarray(0, bytesRead);
      if (bytes.includes(0x0a) || from + length >= to || bytesRead < length) return bytes;
      length = Math.min(to - from, length * 2);
    }
  } finally {
    await handle.close();
  }
}
