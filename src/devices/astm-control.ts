/**
 * ASTM E1381 / CLSI LIS1-A transmission control characters, the frame checksum and the timers of the
 * low-level protocol (all configurable so tests can run them in milliseconds).
 */
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ENQ = 0x05;
export const ACK = 0x06;
export const LF = 0x0a;
export const CR = 0x0d;
export const NAK = 0x15;
export const ETB = 0x17;

/** Text characters allowed in a frame carry at most 240 characters (LIS1-A 8.3.1). */
export const MAX_FRAME_TEXT = 240;

/**
 * Modulo-256 sum of every byte from the frame number through ETX/ETB, as two upper-case hex digits.
 */
export function astmChecksum(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]) & 0xff;
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

export interface AstmTimers {
  /** Sender: wait for a reply to ENQ or to a frame (LIS1-A 8.5.2: 15 s). */
  readonly senderReplyMs: number;
  /** Receiver: wait for the next frame or EOT after a reply (LIS1-A 8.5.2: 30 s). */
  readonly receiverFrameMs: number;
  /** Sender: wait after a NAK to ENQ (receiver busy) before bidding again (LIS1-A 8.2.6: 10 s). */
  readonly busyRetryMs: number;
  /** Computer system: wait after losing contention before bidding again (LIS1-A 8.2.7.1: 20 s). */
  readonly contentionBackoffMs: number;
  /**
   * Receiver: longest wait for the lab to store a completed message before the frame that completed
   * it is NAKed. Kept under the sender's 15 s reply timer so the instrument sees a NAK, not a timeout.
   */
  readonly handlerMs: number;
}

export const STANDARD_TIMERS: AstmTimers = {
  senderReplyMs: 15_000,
  receiverFrameMs: 30_000,
  busyRetryMs: 10_000,
  contentionBackoffMs: 20_000,
  handlerMs: 10_000,
};

/** A frame is NAKed and sent again at most 6 times before the sender gives up (LIS1-A 8.5.1.2). */
export const MAX_FRAME_ATTEMPTS = 6;
