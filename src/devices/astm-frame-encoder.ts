/**
 * Builds the frames of one outgoing transmission: every record starts a new frame; a record longer
 * than 240 characters continues in ETB frames and ends in an ETX frame; frame numbers run 1..7, 0, 1 …
 */
import { CR, ETB, ETX, LF, MAX_FRAME_TEXT, STX, astmChecksum } from './astm-control.js';

/** One frame's bytes: STX FN text ETB|ETX C1 C2 CR LF. */
export function encodeAstmFrame(frameNumber: number, text: Buffer, final: boolean): Buffer {
  const body = Buffer.concat([Buffer.from(String(frameNumber % 8), 'latin1'), text, Buffer.from([final ? ETX : ETB])]);
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from(astmChecksum(body), 'latin1'), Buffer.from([CR, LF])]);
}

/** Records (without their CR terminators) → the frames that carry them. */
export function encodeAstmFrames(records: readonly string[], maxText = MAX_FRAME_TEXT, encoding: BufferEncoding = 'latin1'): Buffer[] {
  const frames: Buffer[] = [];
  let fn = 1;
  for (const record of records) {
    const bytes = Buffer.from(record + '\r', encoding);
    for (let offset = 0; offset < bytes.length; offset += maxText) {
      const chunk = bytes.subarray(offset, offset + maxText);
      frames.push(encodeAstmFrame(fn, chunk, offset + maxText >= bytes.length));
      fn = (fn + 1) % 8;
    }
  }
  return frames;
}
