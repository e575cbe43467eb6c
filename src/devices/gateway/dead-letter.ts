/**
 * Reports the server refused for good (a 4xx that is about the report, not about the gateway's
 * credential or the server's state) go here, whole, with the server's reason: never dropped, waiting
 * for a person to fix and replay them. The file sits beside the spool and holds clinical data like it;
 * the log gets only the entry's number, id, control id and HTTP status.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from './durable-file.js';
import type { SpoolEntry } from './spool-entry.js';

export const DEAD_LETTER_FILE = 'dead-letter.jsonl';

export interface DeadLetter {
  readonly entry: SpoolEntry;
  readonly status: number;
  readonly reason: string;
  readonly at: string;
}

export class DeadLetterFile {
  readonly path: string;
  constructor(private readonly dir: string) {
    this.path = join(dir, DEAD_LETTER_FILE);
  }

  /** Appends and fsyncs; the forwarder moves past the entry only after this resolves. */
  async add(entry: SpoolEntry, status: number, reason: string): Promise<void> {
    const letter: DeadLetter = { entry, status, reason, at: new Date().toISOString() };
    const handle = await open(this.path, 'a+');
    try {
      const size = (await handle.stat()).size;
      // After a crash mid-append the last line may be unfinished: start on a fresh line.
      const last = size > 0 ? (await handle.read(Buffer.alloc(1), 0, 1, size - 1)).buffer[0] : 0x0a;
      await handle.write((last === 0x0a ? '' : '\n') + JSON.stringify(letter) + '\n');
      await handle.sync();
      if (size === 0) await fsyncDirectory(this.dir);
    } finally {
      await handle.close();
    }
  }
}
