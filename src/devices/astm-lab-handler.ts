/**
 * Connects ASTM traffic to the laboratory: results go to LabDeviceSink.receiveResults (the frame that
 * completed the message is ACKed only after the sink accepts); host queries go to answerQuery and the
 * orders come back as the records the session sends to the analyzer once the line is free.
 */
import type { AstmMessage } from './astm-message.js';
import { astmHostQueries, astmResultReport } from './astm-results.js';
import { buildQueryAnswer } from './astm-record-builder.js';
import type { LabDeviceSink } from './lab-device-types.js';

export interface AstmHandlerReply {
  /** False makes the receiver NAK the frame that completed the message, so the analyzer sends it again. */
  readonly accepted: boolean;
  readonly reason?: string;
  /** Records (without CR) to transmit to the analyzer afterwards, e.g. orders answering its query. */
  readonly answer?: readonly string[];
}

/** What the ASTM session calls for every message (H..L, or an incomplete one when the line dropped). */
export type AstmMessageHandler = (message: AstmMessage, messageId: string) => Promise<AstmHandlerReply>;

export function createAstmLabHandler(sink: LabDeviceSink, options: { hostName?: string } = {}): AstmMessageHandler {
  return async (message, messageId) => {
    const queries = astmHostQueries(message);
    if (queries.length > 0) {
      const specimenIds = queries.flatMap((q) => q.specimenIds);
      const orders = await sink.answerQuery({ protocol: 'astm', instrument: queries[0].instrument, specimenIds });
      return { accepted: true, answer: buildQueryAnswer(specimenIds, orders, { hostName: options.hostName, receiver: message.header.sender[0] }) };
    }
    const report = astmResultReport(message, messageId);
    if (report.observations.length === 0) return { accepted: true }; // nothing to store (keep-alive, QC header only)
    const outcome = await sink.receiveResults(report);
    return outcome.accepted ? { accepted: true } : { accepted: false, reason: outcome.reason };
  };
}
