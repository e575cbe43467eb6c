/**
 * The byte offset just after the first `count` lines of a file, found by scanning for newline bytes
 * without decoding anything: a restore worker starting in the middle of a 100 000-entry segment skips
 * to its first entry at disk speed. Undefined when the file has fewer lines than that.
 */
import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;

export async function skipLines(file: string, count: number): Promise<number | undefined> {
  let seen = 0;
  let offset = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
      if (++seen === count) return offset + at + 1;
    }
    offset += chunk.length;
  }
  return undefined;
}
