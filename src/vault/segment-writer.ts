/**
 * Appends entry lines to a hospital's segments. Each call writes its lines and fsyncs before it
 * returns; a new segment is created with 'wx' (never over an existing file) and its directory is
 * fsynced too, so that after a crash the file's name is as durable as its bytes. Bytes already in a
 * segment are never rewritten: files are opened for append only.
 *
 * A segment is closed to new lines once it holds `maxEntries` lines or another line would take it
 * past `maxBytes` (a single larger line still gets a segment of its own).
 */
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from '../store/durable-file.js';
import type { OpenSegment } from './hospital-state.js';
import { segmentFileName } from './segment-files.js';

export interface SegmentLimits {
  maxBytes: number;
  maxEntries: number;
}

export class SegmentWriter {
  private handle: FileHandle | undefined;

  constructor(
    private readonly segmentsDir: string,
    private readonly limits: SegmentLimits,
    private current: OpenSegment | undefined,
  ) {}

  /** Appends `lines` (no newlines inside), the entries `firstSeq`, `firstSeq + 1`, …; durable on return. */
  async append(firstSeq: number, lines: string[]): Promise<void> {
    let seq = firstSeq;
    let i = 0;
    while (i < lines.length) {
      let created = false;
      if (!this.current || !this.hasRoom(this.current, Buffer.byteLength(lines[i]) + 1)) {
        await this.roll(seq);
        created = true;
      } else if (!this.handle) {
        // After a restart: carry on in the last segment (an empty one left by a crash right after a roll too).
        this.handle = await fs.open(this.current.path, 'a');
      }
      const segment = this.current!;
      const chunk: string[] = [];
      let bytes = 0;
      // Take lines while they fit; the first always goes in, so an oversized line cannot stall.
      while (i < lines.length) {
        const size = Buffer.byteLength(lines[i]) + 1;
        if (chunk.length > 0 && !this.hasRoom(segment, bytes + size, chunk.length)) break;
        chunk.push(lines[i]);
        bytes += size;
        i++;
      }
      await this.handle!.writeFile(`${chunk.join('\n')}\n`);
      await this.handle!.sync();
      if (created) await syncDirectory(this.segmentsDir);
      segment.bytes += bytes;
      segment.entries += chunk.length;
      seq += chunk.length;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private hasRoom(segment: OpenSegment, moreBytes: number, moreEntries = 0): boolean {
    if (segment.entries + moreEntries >= this.limits.maxEntries) return false;
    return segment.entries + moreEntries === 0 || segment.bytes + moreBytes <= this.limits.maxBytes;
  }

  private async roll(firstSeq: number): Promise<void> {
    await this.close();
    const file = path.join(this.segmentsDir, segmentFileName(firstSeq));
    this.handle = await fs.open(file, 'wx', 0o644);
    this.current = { firstSeq, path: file, bytes: 0, entries: 0 };
  }
}
