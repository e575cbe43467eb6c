/**
 * The gateway's durable spool: an append-only log of what instruments sent, in segment files. An
 * append resolves only after the line is fsync'd, so the ACK the instrument gets means "on the
 * gateway's disk", whether or not the server is up. Appends from every connection are group-committed
 * (one write and one fdatasync for all that arrived meanwhile): durability per entry, throughput of a
 * batch. Reading back is SpoolReader's job; the forwarder's position is SpoolCursor's.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type DeviceLogger } from '../device-log.js';
import { fsyncDirectory } from './durable-file.js';
import { encodeSpoolEntry, type SpoolEntry, type SpoolKind } from './spool-entry.js';
import { intactPrefix, listSegments, segmentPath, type SegmentFile } from './spool-segments.js';
import { lockSpool, type SpoolLock } from './spool-lock.js';

export interface SpoolOptions {
  /** Start a new segment once the newest passes this size (default 16 MiB). */
  readonly maxSegmentBytes?: number;
  readonly log?: DeviceLogger;
}

interface Pending {
  readonly kind: SpoolKind;
  readonly body: unknown;
  readonly resolve: (entry: SpoolEntry) => void;
  readonly reject: (err: Error) => void;
}

export class Spool {
  private pending: Pending[] = [];
  private flushing?: Promise<void>;
  private listeners = new Set<() => void>();
  private closed = false;

  private constructor(
    readonly dir: string,
    private segments: SegmentFile[],
    private handle: FileHandle,
    /** Bytes of the newest segment known to be on disk (fsync'd). */
    private durableBytes: number,
    private nextSeq: number,
    private readonly maxSegmentBytes: number,
    private readonly log: DeviceLogger,
    private readonly lock: SpoolLock,
  ) {}

  /**
   * Opens (or creates) the spool in `dir`, cutting off a line torn by a crash in the newest segment.
   * Refuses a directory another live process has open.
   */
  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const lock = await lockSpool(dir);
    try {
      return await Spool.openLocked(dir, options, lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private static async openLocked(dir: string, options: SpoolOptions, lock: SpoolLock): Promise<Spool> {
    const log = options.log ?? silentLogger;
    let segments = await listSegments(dir);
    if (segments.length === 0) {
      await writeFile(segmentPath(dir, 1), '', { flag: 'wx' });
      await fsyncDirectory(dir);
      segments = await listSegments(dir);
    }
    const newest = segments[segments.length - 1];
    const bytes = await readFile(newest.path);
    const prefix = intactPrefix(bytes);
    if (prefix.length < bytes.length) await setAsideTornTail(dir, newest, bytes, prefix.length, log);
    const last = prefix.entries[prefix.entries.length - 1];
    const handle = await open(newest.path, 'a');
    return new Spool(dir, segments, handle, prefix.length, last ? last.seq + 1 : newest.firstSeq, options.maxSegmentBytes ?? 16 * 1024 * 1024, log, lock);
  }

  /** Appends one message; resolves with its entry once it is fsync'd. */
  append<K extends SpoolKind>(kind: K, body: Extract<SpoolEntry, { kind: K }>['body']): Promise<SpoolEntry> {
    if (this.closed) return Promise.reject(new Error('the spool is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ kind, body, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** The sequence number of the newest durable entry (0 when none was ever written). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Segments, oldest first, with how many of their bytes a reader may read (only fsync'd ones). */
  readableSegments(): { segment: SegmentFile; end: number | 'file' }[] {
    return this.segments.map((segment, i) => ({ segment, end: i === this.segments.length - 1 ? this.durableBytes : 'file' }));
  }

  /** Called after every durable append (the forwarder waits on it instead of polling). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Deletes older segments whose every entry is at or below `confirmedSeq`; the newest stays. */
  async removeForwarded(confirmedSeq: number): Promise<number> {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[1].firstSeq - 1 <= confirmedSeq) {
      const [done] = this.segments.splice(0, 1);
      await unlink(done.path);
      removed++;
    }
    if (removed > 0) await fsyncDirectory(this.dir);
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle.close();
    await this.lock.release();
  }

  /**
   * Writes batches until nothing is pending. It clears `flushing` itself, in the same synchronous step
   * as its last look at `pending`, so an append arriving in between can never find a flush that has
   * already decided to stop.
   */
  private async flush(): Promise<void> {
    for (;;) {
      if (this.pending.length === 0) {
        this.flushing = undefined;
        return;
      }
      const batch = this.pending.splice(0);
      const firstSeq = this.nextSeq;
      try {
        if (this.durableBytes >= this.maxSegmentBytes) await this.rotate();
        const at = new Date().toISOString();
        const entries = batch.map((p, i) => ({ seq: firstSeq + i, id: randomUUID(), at, kind: p.kind, body: p.body }) as SpoolEntry);
        const bytes = Buffer.from(entries.map(encodeSpoolEntry).join(''), 'utf8');
        await this.handle.write(bytes);
        await this.handle.datasync();
        this.durableBytes += bytes.length;
        this.nextSeq = firstSeq + batch.length;
        batch.forEach((p, i) => p.resolve(entries[i]));
        for (const listener of this.listeners) listener();
      } catch (err) {
        // What reached the file is unknown (ENOSPC after half a write): cut it back to the last durable
        // byte so a later append does not follow debris, and refuse the batch (the instruments resend).
        await this.handle.truncate(this.durableBytes).catch(() => {});
        this.log({ level: 'error', event: 'gateway.spool.write_failed', entries: batch.length, error: (err as Error).message });
        for (const p of batch) p.reject(err as Error);
      }
    }
  }

  private async rotate(): Promise<void> {
    const segment = { firstSeq: this.nextSeq, path: segmentPath(this.dir, this.nextSeq) };
    const handle = await open(segment.path, 'wx');
    await fsyncDirectory(this.dir);
    await this.handle.close();
    this.handle = handle;
    this.segments.push(segment);
    this.durableBytes = 0;
    this.log({ level: 'info', event: 'gateway.spool.rotated', firstSeq: segment.firstSeq });
  }
}

/**
 * Moves the unfinished tail of the newest segment aside (kept in a .torn file for whoever wants to
 * look, never silently dropped) and truncates the segment to its intact prefix. The tail was never
 * acknowledged to an instrument: its sender did not get an ACK and will send it again.
 */
async function setAsideTornTail(dir: string, segment: SegmentFile, bytes: Buffer, keep: number, log: DeviceLogger): Promise<void> {
  const aside = join(dir, `${segment.path.split('/').pop()}.${Date.now()}.torn`);
  const copy = await open(aside, 'wx');
  await copy.writeFile(bytes.subarray(keep)).then(() => copy.sync()).finally(() => copy.close());
  await truncate(segment.path, keep);
  const handle = await open(segment.path, 'r+');
  await handle.sync().finally(() => handle.close());
  await fsyncDirectory(dir);
  log({ level: 'warn', event: 'gateway.spool.torn_tail', segment: segment.firstSeq, keptBytes: keep, tornBytes: bytes.length - keep });
}
