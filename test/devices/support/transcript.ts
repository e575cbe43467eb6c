/**
 * Splits an ASTM transcript file into the frames an instrument put on the wire, byte for byte: from
 * STX through ETX/ETB and the two check characters, plus whatever CR/LF followed them in the file
 * (captures differ: CR LF, CR alone, LF alone). Bytes that are not ASTM framing (a native protocol
 * wrapped in STX…LF) come out as one "frame" ending at the line feed, to be replayed as they are.
 */
const STX = 0x02, ETX = 0x03, ETB = 0x17, CR = 0x0d, LF = 0x0a;

export function splitTranscriptFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let i = bytes.indexOf(STX);
  while (i >= 0 && i < bytes.length) {
    let end = i + 1;
    while (end < bytes.length && bytes[end] !== ETX && bytes[end] !== ETB && bytes[end] !== LF && bytes[end] !== STX) end++;
    if (end < bytes.length && (bytes[end] === ETX || bytes[end] === ETB)) {
      end += 1;
      // two check characters, unless a line break comes first (a frame without a checksum)
      for (let k = 0; k < 2 && end < bytes.length && bytes[end] !== CR && bytes[end] !== LF && bytes[end] !== STX; k++) end++;
    }
    while (end < bytes.length && (bytes[end] === CR || bytes[end] === LF)) end++;
    frames.push(bytes.subarray(i, end));
    i = bytes.indexOf(STX, end);
  }
  return frames;
}

/** True when every frame is STX FN(0-7) … ETX|ETB C1 C2 with a correct checksum. */
export function isAstmFramed(frames: Buffer[]): boolean {
  return frames.length > 0 && frames.every((f) => {
    const end = f.findIndex((b) => b === ETX || b === ETB);
    if (end < 2 || f[1] < 0x30 || f[1] > 0x37) return false;
    let sum = 0;
    for (let k = 1; k <= end; k++) sum = (sum + f[k]) & 0xff;
    return f.subarray(end + 1, end + 3).toString('latin1').toUpperCase() === sum.toString(16).toUpperCase().padStart(2, '0');
  });
}
