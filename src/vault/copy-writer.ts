/**
 * One COPY … FROM STDIN on a connection, written line by line with backpressure: lines are gathered
 * into blocks of ~1 MiB (one socket write each, not one per row), and a write waits while the socket
 * is full, so memory stays flat however many millions of rows go through. A failure on the server
 * side (a constraint, a bad value) surfaces at the next write or at end().
 */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';

const BLOCK = 1 << 20;

export class CopyWriter {
  private block: string[] = [];
  private blockLength = 0;
  private failure: Error | undefined;
  private lines = 0;

  private constructor(private readonly stream: CopyStreamQuery) {
    stream.on('error', (err: Error) => { this.failure ??= err; });
  }

  /** `freeze`: only into a table created or truncated in the same transaction (rows are written frozen). */
  static start(client: pg.Client, table: string, columns: readonly string[], freeze = false): CopyWriter {
    return new CopyWriter(client.query(copyFrom(copySql(table, columns, freeze))));
  }

  get rows(): number {
    return this.lines;
  }

  async write(line: string): Promise<void> {
    this.block.push(line);
    this.blockLength += line.length;
    this.lines++;
    if (this.blockLength >= BLOCK) await this.flush();
  }

  /** Ends the COPY and waits until PostgreSQL has taken every row (or throws its error). */
  async end(): Promise<number> {
    await this.flush();
    this.throwIfFailed();
    const finished = once(this.stream, 'finish');
    this.stream.end();
    try {
      await finished;
    } catch (err) {
      throw this.failure ?? err;
    }
    this.throwIfFailed();
    return this.lines;
  }

  /** Abandons the COPY (the server rolls it back); used when the restore fails half way. */
  abort(reason: Error): void {
    if (!this.stream.destroyed) this.stream.destroy(reason);
  }

  private async flush(): Promise<void> {
    this.throwIfFailed();
    if (this.blockLength === 0) return;
    const text = this.block.join('');
    this.block = [];
    this.blockLength = 0;
    if (!this.stream.write(text)) {
      // 'error' as well as 'drain': a connection that dies while full would otherwise never drain.
      const done = new AbortController();
      await Promise.race([once(this.stream, 'drain', { signal: done.signal }), once(this.stream, 'error', { signal: done.signal })])
        .catch(() => {})
        .finally(() => done.abort());
    }
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

export function copySql(table: string, columns: readonly string[], freeze = false): string {
  return `COPY ${table} (${columns.join(', ')}) FROM STDIN${freeze ? ' WITH (FREEZE)' : ''}`;
}
