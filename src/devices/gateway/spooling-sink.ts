/**
 * The LabDeviceSink of the gateway process. Results are durable once they are in the spool, so that
 * is when the instrument gets its ACK; the forwarder takes them on to the server. Orders from the
 * hospital's order system go to the lab live: their ACK is the lab's answer (AE when it refuses one,
 * or cannot be reached), and the sender, which keeps what was not accepted, sends again.
 * Host queries cannot wait in a spool (the analyzer is holding the tube), so they go to the server
 * live; when it cannot answer, an HL7 analyzer hears AE ("query again") and an ASTM one "no orders",
 * and runs nothing rather than the gateway failing the session.
 */
import type { DeviceLogger } from '../device-log.js';
import type { AnalyzerOrder, DeviceHostQuery, DeviceOrderMessage, LabDeviceSink, SinkOutcome } from '../lab-device-types.js';
import type { Spool } from './spool.js';

export interface SpoolingSinkOptions {
  readonly spool: Spool;
  readonly query: (query: DeviceHostQuery) => Promise<readonly AnalyzerOrder[]>;
  readonly placeOrders: (message: DeviceOrderMessage) => Promise<SinkOutcome>;
  readonly log: DeviceLogger;
}

export function spoolingSink({ spool, query, placeOrders, log }: SpoolingSinkOptions): LabDeviceSink {
  return {
    async receiveResults(report) {
      const entry = await spool.append('results', report);
      log({ level: 'debug', event: 'gateway.spooled', seq: entry.seq, kind: 'results', controlId: report.messageId, observations: report.observations.length });
      return { accepted: true };
    },
    async receiveOrders(message) {
      try {
        const outcome = await placeOrders(message);
        log({ level: outcome.accepted ? 'info' : 'warn', event: 'gateway.orders', controlId: message.messageId, orders: message.orders.length, accepted: outcome.accepted });
        return outcome;
      } catch (err) {
        log({ level: 'warn', event: 'gateway.orders.unplaced', controlId: message.messageId, error: (err as Error).message });
        return { accepted: false, reason: 'the laboratory server cannot be reached; send the orders again later' };
      }
    },
    async answerQuery(q) {
      try {
        return await query(q);
      } catch (err) {
        log({ level: 'warn', event: 'gateway.query.unanswered', instrument: q.instrument, specimens: q.specimenIds.length, error: (err as Error).message });
        // HL7 can say "could not ask, query again" (AE); an ASTM host query has no such answer, and
        // a NAK would only repeat the same frame, so the analyzer hears "no orders on record".
        if (q.protocol === 'hl7v2') throw err;
        return [];
      }
    },
  };
}
