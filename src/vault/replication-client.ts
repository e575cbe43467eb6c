/**
 * The vault's side of the server's replication API, version R1. The vault connects out and reads;
 * its credential is read-only on the server, and the server has no way to reach the vault at all.
 *
 *   GET  {server}/replication/R1/{hospital}/info
 *   GET  {server}/replication/R1/{hospital}/entries?after=SEQ&limit=N&waitMs=W   (NDJSON, long poll)
 *   POST {server}/replication/R1/{hospital}/durable  {vaultId, seq, hash}         (204)
 *
 * Every failure here (network, HTTP status, malformed answer) is a ReplicationError: the pull loop
 * waits and tries again. Messages carry the status and path, never a response body.
 */
import { MalformedResponse, readEntryLines } from './ndjson-response.js';
import type { ReceivedEntry } from './vault-entry.js';

export interface ServerInfo {
  hospital: string;
  /** Hash of entry 1; null while the server's ledger is empty. */
  genesisHash: string | null;
  headSeq: number;
  headHash: string | null;
}

export class ReplicationError extends Error {
  override name = 'ReplicationError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const HASH = /^[0-9a-f]{64}$/;
/** Beyond the server's long poll, how long an answer may take before the vault gives up on it. */
const GRACE_MS = 30_000;

export class ReplicationClient {
  private readonly base: string;

  constructor(server: string, private readonly credential: string, private readonly maxResponseBytes = 256 * 1024 * 1024) {
    this.base = server.replace(/\/+$/, '');
  }

  async info(hospital: string, signal: AbortSignal): Promise<ServerInfo> {
    const response = await this.call('GET', hospital, 'info', signal, GRACE_MS);
    let info: Partial<ServerInfo>;
    try {
      info = (await response.json()) as Partial<ServerInfo>;
    } catch {
      throw new ReplicationError('GET info: the answer is not JSON');
    }
    if (typeof info?.hospital !== 'string' || !Number.isSafeInteger(info.headSeq) || (info.headSeq as number) < 0 ||
        !(info.genesisHash === null || (typeof info.genesisHash === 'string' && HASH.test(info.genesisHash)))) {
      throw new ReplicationError('GET info: the answer lacks hospital, headSeq or genesisHash');
    }
    return { hospital: info.hospital, genesisHash: info.genesisHash, headSeq: info.headSeq as number, headHash: info.headHash ?? null };
  }

  async entries(hospital: string, after: number, limit: number, waitMs: number, signal: AbortSignal): Promise<ReceivedEntry[]> {
    const response = await this.call('GET', hospital, `entries?after=${after}&limit=${limit}&waitMs=${waitMs}`, signal, waitMs + GRACE_MS);
    try {
      return await readEntryLines(response.body, this.maxResponseBytes);
    } catch (err) {
      if (err instanceof MalformedResponse) throw new ReplicationError(`GET entries after ${after}: ${err.message}`);
      if (signal.aborted) throw err;
      throw new ReplicationError(`GET entries after ${after}: the answer broke off (${(err as Error).name}: ${(err as Error).message})`);
    }
  }

  async durable(hospital: string, report: { vaultId: string; seq: number; hash: string }, signal: AbortSignal): Promise<void> {
    const response = await this.call('POST', hospital, 'durable', signal, GRACE_MS, JSON.stringify(report));
    await response.body?.cancel();
  }

  private async call(method: string, hospital: string, tail: string, signal: AbortSignal, timeoutMs: number, body?: string): Promise<Response> {
    const url = `${this.base}/replication/R1/${encodeURIComponent(hospital)}/${tail}`;
    const what = `${method} ${tail.split('?')[0]}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        body,
        headers: { authorization: `Bearer ${this.credential}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') throw new ReplicationError(`${what}: no answer within ${timeoutMs} ms`);
      throw new ReplicationError(`${what}: ${e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed'}`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const hint = response.status === 401 || response.status === 403 ? ' (the server does not accept this vault credential)' : '';
      throw new ReplicationError(`${what}: HTTP ${response.status}${hint}`, response.status);
    }
    return response;
  }
}
