/**
 * A signed checkpoint: "vault V held hospital H's chain up to entry SEQ with hash HASH at TIME".
 * The signature is Ed25519 over the canonical JSON (RFC 8785) of every other field, so any tool can
 * rebuild the signed bytes. Since each entry's hash covers all earlier entries, one checkpoint vouches
 * for the whole chain below it.
 */
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../store/ledger-entry.js';
import { signatureValid, signText } from './vault-keys.js';

export interface Checkpoint {
  hospital: string;
  seq: number;
  hash: string;
  time: string;
  vaultId: string;
  keyId: string;
  /** Base64 Ed25519 signature of canonicalJson of the fields above. */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

function signedText(c: UnsignedCheckpoint): string {
  return canonicalJson({ hospital: c.hospital, seq: c.seq, hash: c.hash, time: c.time, vaultId: c.vaultId, keyId: c.keyId });
}

export function signCheckpoint(fields: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  return { ...fields, signature: signText(privateKey, signedText(fields)) };
}

export function checkpointSignatureValid(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  return signatureValid(publicKey, signedText(checkpoint), checkpoint.signature);
}

export function checkpointLine(c: Checkpoint): string {
  return JSON.stringify({ hospital: c.hospital, seq: c.seq, hash: c.hash, time: c.time, vaultId: c.vaultId, keyId: c.keyId, signature: c.signature });
}

export function parseCheckpointLine(line: string): Checkpoint {
  let value: Partial<Checkpoint> | null;
  try {
    value = JSON.parse(line) as Partial<Checkpoint> | null;
  } catch {
    throw new Error('the checkpoint line is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) throw new Error('the checkpoint line is not a JSON object');
  const { hospital, seq, hash, time, vaultId, keyId, signature } = value;
  if (typeof hospital !== 'string' || typeof hash !== 'string' || typeof time !== 'string' || typeof vaultId !== 'string' ||
      typeof keyId !== 'string' || typeof signature !== 'string' || !Number.isSafeInteger(seq) || (seq as number) < 1) {
    throw new Error('the checkpoint line lacks a field or has one of the wrong type');
  }
  return { hospital, seq: seq as number, hash, time, vaultId, keyId, signature };
}
