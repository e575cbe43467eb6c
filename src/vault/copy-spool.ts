/**
 * COPY lines for a table that cannot be loaded yet because the connection is busy with another COPY
 * (PostgreSQL runs one COPY at a time per connection, and the projection must be one transaction on
 * one connection). They wait in a temporary file, not in memory: a restore of millions of resources
 * would otherwise hold them all. The file is unlinked as soon as it is opened, so nothing is left
 * behind however the process ends (kill -9 included), and it is readable by this user only: it holds
 * resources (the versions of a restore) for as long as the restore runs, as the vault does.
 *
 * A spool can also be drained while it is still being written: drainInto loads what has been written
 * since the last drain (whole lines: a block is written only whole), so that PostgreSQL works through
 * the rows while the producers are still computing them.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copySql } from './copy-writer.js';

const BLOCK = 1 << 20;

export class CopySpool {
  private block: Uint8Array[] = [];
  private blockLength = 0;
  private position = 0;
  /** Bytes already loaded by drainInto. */
  private drained = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(): Promise<CopySpool> {
    const file = path.join(tmpdir(), `nirantar-restore-${randomBytes(8).toString('hex')}.copy`);
    const handle = await open(file, 'wx+', 0o600);
    await rm(file);
    return new CopySpool(handle);
  }

  /** Appends COPY text: UTF-8 bytes of whole lines. */
  async write(lines: Uint8Array): Promise<void> {
    if (lines.length === 0) return;
    this.block.push(lines);
    this.blockLength += lines.length;
    if (this.blockLength >= BLOCK) await this.flush();
  }

  /** Bytes written to the file and not yet drained. */
  get undrained(): number {
    return this.position - this.drained;
  }

  /**
   * Loads the lines written to the file since the last drain into `table` on `client` (inside its open
   * transaction). Safe beside writes: it reads only what a finished flush has written.
   */
  async drainInto(client: pg.Client, table: string, columns: readonly string[], freeze = false): Promise<number> {
    const from = this.drained;
    const to = this.position;
    if (to <= from) return 0;
    // A stream over the descriptor, not handle.createReadStream: that one adds a 'close' listener to
    // the handle per stream and never removes it (a MaxListenersExceededWarning after 10 drains).
    const bytes = createReadStream('', { fd: this.handle.fd, start: from, end: to - 1, autoClose: false, highWaterMark: 1 << 20 });
    await pipeline(bytes, client.query(copyFrom(copySql(table, columns, freeze))));
    this.drained = to;
    return to - from;
  }

  /** Loads every spooled line not loaded yet into `table` on `client`, then closes the file. */
  async copyInto(client: pg.Client, table: string, columns: readonly string[], freeze = false): Promise<void> {
    try {
      await this.flush();
      await this.drainInto(client, table, columns, freeze);
    } finally {
      await this.handle.close();
    }
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => {});
  }

  private async flush(): Promise<void> {
    if (this.blockLength === 0) return;
    const data = this.block.length === 1 ? this.block[0] : Buffer.concat(this.block, this.blockLength);
    this.block = [];
    this.blockLength = 0;
    for (let done = 0; done < data.length; ) done += (await this.handle.write(data, done, data.length - done, this.position + done)).bytesWritten;
    this.position += data.length;
  }
}
