/**
 * The MLLP handler that connects HL7 v2 traffic to the laboratory: it routes by MSH-9, rejects what a
 * lab gateway does not take (AR), refuses lab messages missing required segments (AE), and hands the
 * rest to the LabDeviceSink, acknowledging AA only after the sink has made the data durable. An
 * analyzer's order query (QBP^Q11, QRY^Q02) is answered with the tube's orders instead of an ACK.
 */
import type { Hl7Message } from './hl7-message.js';
import { hl7MessageKey } from './hl7-message.js';
import { Hl7ErrorCode } from './hl7-parser.js';
import { extractLabResults, RESULT_MESSAGES } from './hl7-lab-results.js';
import { extractLabOrders, ORDER_MESSAGES } from './hl7-lab-orders.js';
import { answerOrderQuery, QUERY_MESSAGES, type OrderQueryOptions } from './hl7-order-query.js';
import type { LabDeviceSink, SinkOutcome } from './lab-device-types.js';

export type Hl7HandlerResult = 'AA' | {
  readonly code: 'AE' | 'AR';
  readonly reason: string;
  /** HL7 table 0357 code for ERR-3; 207 (application internal error) when absent. */
  readonly errorCode?: string;
  readonly location?: { segment: string; sequence?: number; field?: number };
} | Hl7Reply;

/** A message that answers the sender instead of an ACK (RSP^K11, DSR^Q03, QCK^Q02), with its MSA-1 code. */
export interface Hl7Reply {
  readonly code: 'AA' | 'AE' | 'AR';
  /** The reply as wire text (segments separated by CR, without MLLP framing). */
  readonly reply: string;
  readonly reason?: string;
}

/** What the MLLP server calls for every message it could parse. */
export type Hl7MessageHandler = (message: Hl7Message) => Promise<Hl7HandlerResult>;

const SUPPORTED_CODES = new Set(['ORU', 'OUL', 'OML', 'ORM', 'QBP', 'QRY']);

export function createHl7LabHandler(sink: LabDeviceSink, options: OrderQueryOptions = {}): Hl7MessageHandler {
  return async (message) => {
    const key = hl7MessageKey(message);
    const version = message.header.version;
    if (version && !/^2\.\d/.test(version)) {
      return { code: 'AR', reason: `MSH-12 version ${version} is not HL7 v2`, errorCode: Hl7ErrorCode.unsupportedVersion, location: { segment: 'MSH', field: 12 } };
    }
    if ((RESULT_MESSAGES as readonly string[]).includes(key)) {
      const extracted = extractLabResults(message);
      if (!extracted.ok) return { code: 'AE', reason: extracted.reason, errorCode: extracted.errorCode, location: extracted.location };
      return fromSink(await sink.receiveResults(extracted.report));
    }
    if ((ORDER_MESSAGES as readonly string[]).includes(key)) {
      const extracted = extractLabOrders(message);
      if (!extracted.ok) {
        const code = extracted.errorCode === Hl7ErrorCode.unsupportedMessageType ? 'AR' : 'AE';
        return { code, reason: extracted.reason, errorCode: extracted.errorCode, location: extracted.location };
      }
      return fromSink(await sink.receiveOrders(extracted.orders));
    }
    if ((QUERY_MESSAGES as readonly string[]).includes(key)) {
      // The answer (RSP^K11, DSR^Q03, QCK^Q02) is sent instead of an ACK.
      const { reply, code, reason } = await answerOrderQuery(message, sink, options);
      return { code, reply, ...(reason ? { reason } : {}) };
    }
    const known = SUPPORTED_CODES.has(message.header.messageType.code);
    return {
      code: 'AR',
      reason: `${key || message.header.messageType.code} is not a laboratory message this gateway accepts (${[...RESULT_MESSAGES, ...ORDER_MESSAGES, ...QUERY_MESSAGES].join(', ')})`,
      errorCode: known ? Hl7ErrorCode.unsupportedEvent : Hl7ErrorCode.unsupportedMessageType,
      location: { segment: 'MSH', field: 9 },
    };
  };
}

function fromSink(outcome: SinkOutcome): Hl7HandlerResult {
  return outcome.accepted ? 'AA' : { code: 'AE', reason: outcome.reason, errorCode: Hl7ErrorCode.internalError };
}
