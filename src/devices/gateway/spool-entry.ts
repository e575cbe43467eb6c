/**
 * One spooled message: what an instrument sent (already parsed into the lab's types), numbered in
 * arrival order and given a random id that is its idempotency key (X-Request-Id) at the server for
 * ever, so a re-post after a crash or a lost reply is recognised and never stored twice. A random id
 * rather than the sequence number, because a spool directory that is wiped and restarted counts from 1
 * again and must not collide with what the server already has.
 */
import type { DeviceOrderMessage, DeviceResultReport } from '../lab-device-types.js';

export type SpoolEntry =
  | { readonly seq: number; readonly id: string; readonly at: string; readonly kind: 'results'; readonly body: DeviceResultReport }
  | { readonly seq: number; readonly id: string; readonly at: string; readonly kind: 'orders'; readonly body: DeviceOrderMessage };

export type SpoolKind = SpoolEntry['kind'];

/** One line of a segment file: the entry as JSON, then LF. */
export function encodeSpoolEntry(entry: SpoolEntry): string {
  return JSON.stringify(entry) + '\n';
}

/**
 * Parses one line (without its LF). Undefined for anything that is not a whole entry: a line cut
 * short by a crash never parses (no proper prefix of a JSON object is valid JSON), and the shape
 * check catches a line of zeros or other debris.
 */
export function decodeSpoolLine(line: string): SpoolEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const wellFormed = Number.isSafeInteger(e.seq) && (e.seq as number) > 0 && typeof e.id === 'string' && typeof e.at === 'string' &&
    (e.kind === 'results' || e.kind === 'orders') && typeof e.body === 'object' && e.body !== null;
  return wellFormed ? (value as SpoolEntry) : undefined;
}
