/**
 * One analyzer connection speaking ASTM E1381/E1394: a receiver for what the analyzer sends, a sender
 * for what the host answers, and the timers of LIS1-A. The line is half-duplex: the host bids (ENQ)
 * only while the receiver is idle, and gives way when both bid at once.
 */
import { AstmLinkReceiver } from './astm-link-receiver.js';
import { AstmLinkSender, type AstmSendResult } from './astm-link-sender.js';
import { AstmMessageAssembler, astmInstrumentName, type AstmMessage } from './astm-message.js';
import { encodeAstmFrames } from './astm-frame-encoder.js';
import { STANDARD_TIMERS, type AstmTimers } from './astm-control.js';
import type { AstmHandlerReply, AstmMessageHandler } from './astm-lab-handler.js';
import { astmMessageId, deliverAstmMessage } from './astm-delivery.js';
import { silentLogger, type DeviceLogger } from './device-log.js';

export interface AstmSessionOptions {
  readonly handler: AstmMessageHandler;
  readonly timers?: Partial<AstmTimers>;
  readonly maxFrameBytes?: number;
  /** Byte encoding of record text (default latin1: one byte, one character, checksum-exact). */
  readonly encoding?: BufferEncoding;
  /** Attempts to deliver one outgoing message before giving up (default 3). */
  readonly maxSendAttempts?: number;
  readonly log?: DeviceLogger;
  readonly peer?: string;
}

export interface AstmSessionStats { frames: number; acks: number; naks: number; messages: number; incomplete: number; results: number; sent: number }

export class AstmSession {
  readonly stats: AstmSessionStats = { frames: 0, acks: 0, naks: 0, messages: 0, incomplete: 0, results: 0, sent: 0 };
  private readonly timers: AstmTimers;
  private readonly log: DeviceLogger;
  private readonly receiver: AstmLinkReceiver;
  private readonly assembler = new AstmMessageAssembler();
  private readonly outbox: { frames: Buffer[]; attempts: number }[] = [];
  private sender?: AstmLinkSender;
  private chain: Promise<void> = Promise.resolve();
  private receiverTimer?: NodeJS.Timeout;
  private senderTimer?: NodeJS.Timeout;
  private bidTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly write: (bytes: Buffer) => void, private readonly options: AstmSessionOptions) {
    this.timers = { ...STANDARD_TIMERS, ...options.timers };
    this.log = options.log ?? silentLogger;
    this.receiver = new AstmLinkReceiver({
      onFrame: (text, final, fn) => this.onFrame(text, final, fn),
      onEnd: (reason) => this.onEnd(reason),
      reply: (b) => { if (b === 0x06) this.stats.acks++; else this.stats.naks++; this.send(Buffer.from([b])); this.armReceiverTimer(); },
      onReject: (reason, fn) => this.log({ level: 'warn', event: 'astm.frame.nak', peer: options.peer, frame: fn, reason }),
    }, options.maxFrameBytes);
  }

  /** Bytes from the analyzer, processed strictly in order. */
  push(data: Buffer): Promise<void> {
    this.chain = this.chain.then(() => this.consume(data)).catch((err: Error) => {
      this.log({ level: 'error', event: 'astm.internal', peer: this.options.peer, error: err.message });
    });
    return this.chain;
  }

  /** Queues records (without CR) for transmission to the analyzer. */
  enqueue(records: readonly string[]): void {
    this.outbox.push({ frames: encodeAstmFrames(records, undefined, this.options.encoding ?? 'latin1'), attempts: 0 });
    this.tryBid();
  }

  /** The connection is gone: stop timers and hand over anything received but unfinished. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of [this.receiverTimer, this.senderTimer, this.bidTimer]) clearTimeout(t);
    await this.chain;
    await this.deliverIncomplete('connection closed');
  }

  private async consume(data: Buffer): Promise<void> {
    let i = 0;
    // While the host holds the line the analyzer only answers (ACK, NAK, EOT, or ENQ when it bids too);
    // once the sender lets go, the rest of the chunk belongs to the receiver.
    while (i < data.length && this.sender?.active) this.sender.onByte(data[i++]);
    if (i < data.length) await this.receiver.push(i === 0 ? data : data.subarray(i));
  }

  private async onFrame(text: Buffer, final: boolean, fn: number): Promise<boolean> {
    this.stats.frames++;
    const { messages, commit } = this.assembler.accept(text.toString(this.options.encoding ?? 'latin1'), final);
    const replies: AstmHandlerReply[] = [];
    for (const m of messages) {
      const reply = await this.deliver(m);
      if (!reply.accepted) {
        this.log({ level: 'warn', event: 'astm.message.refused', peer: this.options.peer, frame: fn, reason: reply.reason });
        return false;
      }
      replies.push(reply);
    }
    commit();
    for (const r of replies) if (r.answer) this.outbox.push({ frames: encodeAstmFrames(r.answer, undefined, this.options.encoding ?? 'latin1'), attempts: 0 });
    return true;
  }

  private onEnd(reason: 'eot' | 'restart' | 'timeout'): void {
    clearTimeout(this.receiverTimer);
    if (reason !== 'eot') this.log({ level: 'warn', event: 'astm.transmission.end', peer: this.options.peer, reason });
    // Taken now, at the byte that ended the transmission, so the next transmission starts clean.
    const pending = this.assembler.flush();
    this.chain = this.chain.then(async () => {
      await this.deliverIncomplete(reason, pending);
      this.tryBid();
    });
  }

  private async deliverIncomplete(reason: string, pending = this.assembler.flush()): Promise<void> {
    if (!pending) return;
    this.stats.incomplete++;
    this.log({ level: 'warn', event: 'astm.message.incomplete', peer: this.options.peer, reason, records: pending.records.length });
    const reply = await this.deliver(pending);
    if (!reply.accepted) this.log({ level: 'error', event: 'astm.message.unstored', peer: this.options.peer, reason: reply.reason });
  }

  /** Calls the handler with a time limit; a failure or timeout is a refusal, never an exception. */
  private async deliver(message: AstmMessage): Promise<AstmHandlerReply> {
    const reply = await deliverAstmMessage(this.options.handler, message, this.timers.handlerMs);
    if (reply.accepted) {
      this.stats.messages++;
      this.stats.results += message.records.filter((r) => r.type === 'R').length;
      this.log({ level: 'info', event: 'astm.message', peer: this.options.peer, instrument: astmInstrumentName(message.header), messageId: astmMessageId(message), records: message.records.length, complete: message.complete });
    }
    return reply;
  }

  private tryBid(): void {
    if (this.closed || this.sender?.active || this.receiver.receiving || this.bidTimer || this.outbox.length === 0) return;
    const item = this.outbox[0];
    item.attempts++;
    this.sender = new AstmLinkSender(item.frames, {
      write: (b) => this.send(b),
      armTimer: () => { clearTimeout(this.senderTimer); this.senderTimer = setTimeout(() => this.sender?.timeout(), this.timers.senderReplyMs); },
      done: (result) => this.onSent(result),
    });
    this.sender.start();
  }

  private onSent(result: AstmSendResult): void {
    clearTimeout(this.senderTimer);
    const item = this.outbox[0];
    this.log({ level: result === 'sent' ? 'info' : 'warn', event: 'astm.send', peer: this.options.peer, result, frames: item?.frames.length, attempt: item?.attempts });
    if (result === 'sent') { this.outbox.shift(); this.stats.sent++; }
    else if (item && item.attempts >= (this.options.maxSendAttempts ?? 3) && result !== 'contention') {
      this.outbox.shift();
      this.log({ level: 'error', event: 'astm.send.gave_up', peer: this.options.peer, frames: item.frames.length });
    }
    const wait = result === 'sent' ? 0 : result === 'contention' ? this.timers.contentionBackoffMs : this.timers.busyRetryMs;
    this.bidTimer = setTimeout(() => { this.bidTimer = undefined; this.tryBid(); }, wait);
  }

  private armReceiverTimer(): void {
    clearTimeout(this.receiverTimer);
    if (!this.receiver.receiving || this.closed) return;
    this.receiverTimer = setTimeout(() => this.receiver.timeout(), this.timers.receiverFrameMs);
  }

  private send(bytes: Buffer): void {
    if (!this.closed) this.write(bytes);
  }
}
