/**
 * The device gateway's public surface. The laboratory implements LabDeviceSink; the gateway process
 * (`nirantar devices`) wires it to an MLLP server and an ASTM server with createHl7LabHandler and
 * createAstmLabHandler. Everything else in this folder is protocol machinery behind these names.
 */
export type {
  AnalyzerOrder, CodedValue, DeviceHostQuery, DeviceObservation, DeviceOrder, DeviceOrderMessage,
  DeviceResultReport, LabDeviceSink, SinkOutcome, SpecimenIdentifiers,
} from './lab-device-types.js';
export type { Hl7Message, Hl7Segment, Hl7Header } from './hl7-message.js';
export type { Hl7HandlerResult, Hl7MessageHandler } from './hl7-lab-handler.js';
export type { AstmHandlerReply, AstmMessageHandler } from './astm-lab-handler.js';
export type { AstmMessage } from './astm-message.js';
export type { DeviceLogEvent, DeviceLogger } from './device-log.js';
export { createHl7LabHandler } from './hl7-lab-handler.js';
export { createAstmLabHandler } from './astm-lab-handler.js';
export { createMllpServer, type MllpServer, type MllpServerOptions } from './mllp-server.js';
export { MllpClient, type MllpAck } from './mllp-client.js';
export { createAstmServer, type AstmServer, type AstmServerOptions } from './astm-server.js';
export { AstmInstrumentClient } from './astm-instrument-client.js';
export { buildOmlO21, type OmlOptions } from './hl7-oml-builder.js';
export type { OrderQueryOptions } from './hl7-order-query.js';
export { parseHl7Message } from './hl7-parser.js';
export { extractLabResults } from './hl7-lab-results.js';
export { extractLabOrders } from './hl7-lab-orders.js';
export { astmResultReport, astmHostQueries } from './astm-results.js';
export { STANDARD_TIMERS, type AstmTimers } from './astm-control.js';
export { jsonLineLogger, silentLogger } from './device-log.js';
