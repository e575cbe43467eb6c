/**
 * Which records are decoys (table `honeytoken`, migration 009), and the in-memory set the access
 * watch consults on every request. The set is refreshed from the table every few seconds, so a
 * decoy added with `nirantar honeytoken add` is watched without a restart and no request waits for
 * the database.
 */
import type { Queryable } from '../../store/database.js';

export interface Honeytoken {
  hospitalId: string;
  resourceType: string;
  resourceId: string;
  label: string;
  createdAt: Date;
}

/** Marks a record as a decoy; false when it already was one. */
export async function markHoneytoken(db: Queryable, h: Omit<Honeytoken, 'createdAt'>): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO honeytoken (hospital_id, resource_type, resource_id, label) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [h.hospitalId, h.resourceType, h.resourceId, h.label]);
  return rows.length > 0;
}

/** Unmarks a decoy (the resource itself stays: the ledger keeps everything). False when it was not one. */
export async function unmarkHoneytoken(db: Queryable, hospitalId: string, resourceType: string, resourceId: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM honeytoken WHERE hospital_id = $1 AND resource_type = $2 AND resource_id = $3 RETURNING 1',
    [hospitalId, resourceType, resourceId]);
  return rows.length > 0;
}

export async function listHoneytokens(db: Queryable, hospitalId: string): Promise<Honeytoken[]> {
  const rows = await db.query(
    'SELECT resource_type, resource_id, label, created_at FROM honeytoken WHERE hospital_id = $1 ORDER BY created_at, resource_type, resource_id',
    [hospitalId]);
  return rows.map((r) => ({ hospitalId, resourceType: r.resource_type, resourceId: r.resource_id, label: r.label, createdAt: r.created_at }));
}

/** Every hospital's decoys as 'Type/id' references, refreshed in the background. */
export class HoneytokenSet {
  private byHospital = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private refreshFailed = false;
  private closed = false;
  /** Resolves once the set has been read from the table (successfully or not) the first time. */
  readonly ready: Promise<void>;
  loaded = false;

  constructor(private readonly db: Queryable, private readonly options: { refreshMs?: number; log?: (line: string) => void } = {}) {
    this.ready = this.refresh().then(() => {
      this.loaded = true;
      const refreshMs = options.refreshMs ?? 5000;
      if (refreshMs > 0 && !this.closed) {
        this.timer = setInterval(() => void this.refresh(), refreshMs);
        this.timer.unref();
      }
    });
  }

  has(hospitalId: string, reference: string): boolean {
    return this.byHospital.get(hospitalId)?.has(reference) ?? false;
  }

  /** Re-reads the table now. On failure the previous set stays in force (and the failure is logged once). */
  async refresh(): Promise<void> {
    try {
      const rows = await this.db.query<{ hospital_id: string; resource_type: string; resource_id: string }>(
        'SELECT hospital_id, resource_type, resource_id FROM honeytoken', [], 'honeytoken-set');
      const next = new Map<string, Set<string>>();
      for (const r of rows) {
        let set = next.get(r.hospital_id);
        if (!set) next.set(r.hospital_id, (set = new Set()));
        set.add(`${r.resource_type}/${r.resource_id}`);
      }
      this.byHospital = next;
      this.refreshFailed = false;
    } catch (err) {
      if (!this.refreshFailed) (this.options.log ?? console.error)(`ALERT honeytoken: cannot read the decoy list, watching the last one read: ${(err as Error).message}`);
      this.refreshFailed = true;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
