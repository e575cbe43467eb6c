/**
 * Sender side of the ASTM E1381 / LIS1-A data link, used by the host to send orders to an analyzer.
 * Establishment: ENQ, then wait for ACK (go), NAK (receiver busy: try later) or ENQ (contention: the
 * instrument wants the line too and has priority, so the host gives way). Transfer: one frame at a
 * time, each answered by ACK (next), NAK (send the same frame again, at most 6 times) or EOT (receiver
 * interrupt: treated as ACK, which the standard allows). Termination: EOT.
 */
import { ACK, ENQ, EOT, MAX_FRAME_ATTEMPTS, NAK } from './astm-control.js';

export type AstmSendResult = 'sent' | 'busy' | 'contention' | 'aborted' | 'timeout';

export interface AstmSenderHooks {
  write(bytes: Buffer): void;
  /** Starts (or restarts) the reply timer; the session calls `timeout()` when it fires. */
  armTimer(): void;
  done(result: AstmSendResult): void;
}

export class AstmLinkSender {
  private state: 'idle' | 'awaitEnqReply' | 'awaitFrameReply' | 'done' = 'idle';
  private index = 0;
  private attempts = 0;

  constructor(private readonly frames: readonly Buffer[], private readonly hooks: AstmSenderHooks) {}

  get active(): boolean { return this.state === 'awaitEnqReply' || this.state === 'awaitFrameReply'; }

  start(): void {
    this.state = 'awaitEnqReply';
    this.hooks.write(Buffer.from([ENQ]));
    this.hooks.armTimer();
  }

  /** A byte from the analyzer while this sender holds the line. */
  onByte(b: number): void {
    if (this.state === 'awaitEnqReply') {
      if (b === ACK) { this.index = 0; this.attempts = 0; this.sendFrame(); }
      else if (b === NAK) this.finish('busy', false);
      else if (b === ENQ) this.finish('contention', false);
      return; // anything else: keep waiting until the timer decides
    }
    if (this.state === 'awaitFrameReply') {
      if (b === ACK || b === EOT) {
        this.index++;
        this.attempts = 0;
        if (this.index >= this.frames.length) this.finish('sent', true);
        else this.sendFrame();
      } else if (b === NAK) {
        if (this.attempts >= MAX_FRAME_ATTEMPTS) this.finish('aborted', true);
        else this.sendFrame();
      }
    }
  }

  /** The reply timer expired: give up this attempt and release the line. */
  timeout(): void {
    if (this.active) this.finish('timeout', true);
  }

  private sendFrame(): void {
    this.state = 'awaitFrameReply';
    this.attempts++;
    this.hooks.write(this.frames[this.index]);
    this.hooks.armTimer();
  }

  private finish(result: AstmSendResult, sendEot: boolean): void {
    this.state = 'done';
    if (sendEot) this.hooks.write(Buffer.from([EOT]));
    this.hooks.done(result);
  }
}
