/**
 * Keeps the planner's statistics fresh on the projection tables. Autovacuum normally does this, but
 * an external PostgreSQL may run with autovacuum off (this project's CI machine does), and without
 * statistics PostgreSQL can pick a sequential scan over a table of millions of index rows. ANALYZE
 * needs the owner's connection, so this runs beside the server, not inside requests.
 */
import type { Queryable } from './database.js';

const TABLES = ['resource_version', 'resource_current', 'search_index', 'request_key', 'ledger_entry'];

/** ANALYZE each table whose rows changed by more than 10% (and 500 rows) since it was last analysed. */
export async function analyzeStaleTables(admin: Queryable): Promise<string[]> {
  const rows = await admin.query<{ relname: string }>(
    `SELECT relname FROM pg_stat_user_tables
      WHERE relname = ANY($1::text[]) AND n_mod_since_analyze > 500 + 0.1 * greatest(n_live_tup - n_mod_since_analyze, 0)`,
    [TABLES],
  );
  for (const { relname } of rows) await admin.query(`ANALYZE ${relname}`);
  return rows.map((r) => r.relname);
}

/** Checks every `intervalMs` (default 5 s; the check is one query) in the background; returns a stop function. */
export function startStatisticsKeeper(admin: Queryable, intervalMs = 5000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    analyzeStaleTables(admin).catch(() => {}).finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
