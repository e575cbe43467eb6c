/**
 * Reading newline-terminated text files (segments, checkpoints) without loading them whole: a
 * forward stream of lines, and the first/last line read directly from either end. Lines are split
 * on the byte 0x0A, which never occurs inside a multi-byte UTF-8 character, then decoded one by one.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
const CHUNK = 1 << 16;

export interface FileLine {
  text: string;
  /** False only for a final line with no newline after it: an append that did not finish. */
  terminated: boolean;
}

export async function* readLines(file: string, start = 0): AsyncGenerator<FileLine> {
  let carry: Buffer[] = [];
  for await (const chunk of createReadStream(file, { start, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
      const piece = chunk.subarray(from, nl);
      const text = carry.length > 0 ? Buffer.concat([...carry, piece]).toString('utf8') : piece.toString('utf8');
      carry = [];
      from = nl + 1;
      yield { text, terminated: true };
    }
    if (from < chunk.length) carry.push(chunk.subarray(from));
  }
  if (carry.length > 0) yield { text: Buffer.concat(carry).toString('utf8'), terminated: false };
}

/** Position of the last newline before `end`, or -1. Reads backwards a chunk at a time. */
export async function lastNewlineBefore(handle: FileHandle, end: number): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let pos = end; pos > 0; ) {
    const from = Math.max(0, pos - CHUNK);
    await readExactly(handle, buf, pos - from, from);
    const i = buf.subarray(0, pos - from).lastIndexOf(NEWLINE);
    if (i !== -1) return from + i;
    pos = from;
  }
  return -1;
}

/** The first line, if the file has a complete one. */
export async function firstLine(handle: FileHandle, size: number): Promise<string | undefined> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let pos = 0; pos < size; pos += CHUNK) {
    const n = Math.min(CHUNK, size - pos);
    await readExactly(handle, buf, n, pos);
    const i = buf.subarray(0, n).indexOf(NEWLINE);
    if (i !== -1) return readText(handle, 0, pos + i);
  }
  return undefined;
}

/** The last complete line of a file whose complete lines end at `completeEnd` (just after a newline). */
export async function lastLine(handle: FileHandle, completeEnd: number): Promise<string | undefined> {
  if (completeEnd === 0) return undefined;
  const before = await lastNewlineBefore(handle, completeEnd - 1);
  return readText(handle, before + 1, completeEnd - 1);
}

async function readText(handle: FileHandle, from: number, to: number): Promise<string> {
  const buf = Buffer.allocUnsafe(to - from);
  await readExactly(handle, buf, to - from, from);
  return buf.toString('utf8');
}

async function readExactly(handle: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error('the file became shorter while it was being read');
    done += bytesRead;
  }
}
