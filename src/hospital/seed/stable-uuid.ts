/**
 * Name-based (version 5) UUIDs, so the seed bundle's fullUrls are the same on every run: seeding
 * must be repeatable, and a bundle that changes on every call could not be compared or replayed.
 */
import { createHash } from 'node:crypto';

/** A fixed namespace for Nirantar seed names (itself a random v4 UUID, chosen once). */
const SEED_NAMESPACE = '6f1c2b0e-8d4a-4f7e-9a53-2c1d7e5b9a40';

export function stableUuid(name: string, namespace: string = SEED_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
