/**
 * What the vaults have made durable, and the ack=vault rule: with `ack: 'vault'` a write is
 * acknowledged only once a vault reports its entry fsync'd. If no vault confirms within the
 * timeout, the configured fallback decides: 'local' (the default: acknowledge on PostgreSQL's
 * durability alone and raise an alarm, so a vault outage never stops the hospital) or 'refuse'.
 */
import { FhirError, issue } from '../fhir/outcome.js';

export type AckMode = 'local' | 'vault';
export type VaultFallback = 'local' | 'refuse';

export interface VaultAckOptions {
  ack: AckMode;
  fallback: VaultFallback;
  timeoutMs: number;
  onAlarm?: (message: string) => void;
}

interface VaultPosition {
  vaultId: string;
  seq: number;
  hash: string;
  reportedAt: number;
}

export class VaultAcknowledgements {
  private readonly positions = new Map<string, VaultPosition>();
  private readonly waiters = new Map<string, Array<{ seq: number; resolve(): void }>>();
  private alarm: string | undefined;
  private fallbacks = 0;

  constructor(readonly options: VaultAckOptions) {}

  /** A vault reports the highest entry it has made durable. */
  record(hospitalId: string, vaultId: string, seq: number, hash: string): void {
    const previous = this.positions.get(hospitalId);
    if (!previous || seq >= previous.seq) this.positions.set(hospitalId, { vaultId, seq, hash, reportedAt: Date.now() });
    if (this.alarm) this.alarm = undefined;
    const pending = this.waiters.get(hospitalId) ?? [];
    this.waiters.set(hospitalId, pending.filter((w) => (w.seq <= seq ? (w.resolve(), false) : true)));
  }

  /** Called after COMMIT (see LedgerWriter's AfterCommit). */
  async afterCommit(hospitalId: string, seq: number): Promise<void> {
    if (this.options.ack !== 'vault') return;
    if ((this.positions.get(hospitalId)?.seq ?? 0) >= seq) return;
    const confirmed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), this.options.timeoutMs);
      const list = this.waiters.get(hospitalId) ?? [];
      list.push({ seq, resolve: () => (clearTimeout(timer), resolve(true)) });
      this.waiters.set(hospitalId, list);
    });
    if (confirmed) return;
    this.waiters.set(hospitalId, (this.waiters.get(hospitalId) ?? []).filter((w) => w.seq !== seq));
    const message = `no vault confirmed ledger entry ${seq} of hospital ${hospitalId} within ${this.options.timeoutMs} ms`;
    this.fallbacks++;
    if (!this.alarm) this.options.onAlarm?.(message);
    this.alarm = message;
    if (this.options.fallback === 'refuse') {
      throw new FhirError(503, issue('transient', `${message}; the write is saved on the server but not yet in the vault. Retry with the same X-Request-Id.`));
    }
  }

  durableSeq(hospitalId: string): number {
    return this.positions.get(hospitalId)?.seq ?? 0;
  }

  /** `oldestUnvaulted`: when the first entry the vault does not have was written (null if none). */
  status(hospitalId: string, headSeq: number, oldestUnvaulted: Date | null) {
    const p = this.positions.get(hospitalId);
    const lagEntries = Math.max(0, headSeq - (p?.seq ?? 0));
    return {
      ack: this.options.ack,
      fallback: this.options.fallback,
      vault: p ? { vaultId: p.vaultId, durableSeq: p.seq, lastReportAt: new Date(p.reportedAt).toISOString() } : null,
      lagEntries,
      lagSeconds: lagEntries > 0 && oldestUnvaulted ? Math.max(0, (Date.now() - oldestUnvaulted.getTime()) / 1000) : 0,
      alarm: this.alarm ?? null,
      localFallbacks: this.fallbacks,
    };
  }
}
