/** Seeded randomness for reproducible fuzzing: the same seed gives the same inputs on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x0b, 0x0d, 0x15, 0x17, 0x1c, 0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0xff, 0xfe, 0xef, 0xbb, 0xbf];

/** Random bytes, biased toward delimiters and control characters. */
export function randomBytes(rand: () => number, max: number): Buffer {
  const n = Math.floor(rand() * max);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rand() < 0.4 ? INTERESTING[Math.floor(rand() * INTERESTING.length)] : Math.floor(rand() * 256);
  return out;
}

/** Flips, inserts, deletes, duplicates or truncates a few bytes of a valid input. */
export function mutate(rand: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * Math.max(1, b.length));
    const op = Math.floor(rand() * 6);
    const byte = rand() < 0.5 ? INTERESTING[Math.floor(rand() * INTERESTING.length)] : Math.floor(rand() * 256);
    if (op === 0) b[at] = byte;
    else if (op === 1) b = Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
    else if (op === 2) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    else if (op === 3) b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 20), b.subarray(at)]);
    else if (op === 4) b = b.subarray(0, at);
    else b = Buffer.concat([b.subarray(0, at), randomBytes(rand, 16), b.subarray(at)]);
  }
  return b;
}
