/**
 * Gateway logging. Events carry only protocol facts — message control ids, frame numbers, instrument
 * names, byte and record counts, ACK codes — never patient names, identifiers or results, so a log
 * shipped off the machine during an incident leaks nothing clinical.
 */
export type DeviceLogValue = string | number | boolean | undefined;

export interface DeviceLogEvent {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** A stable event name, e.g. "mllp.ack", "astm.frame.nak". */
  readonly event: string;
  readonly [field: string]: DeviceLogValue;
}

export type DeviceLogger = (event: DeviceLogEvent) => void;

export const silentLogger: DeviceLogger = () => {};

/** One JSON line per event on stderr, at or above a level. */
export function jsonLineLogger(minLevel: DeviceLogEvent['level'] = 'info'): DeviceLogger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(minLevel);
  return (e) => {
    if (order.indexOf(e.level) >= min) process.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  };
}
