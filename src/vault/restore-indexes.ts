/**
 * Indexes of the projection tables are dropped before the bulk load and built again after it, inside
 * the same transaction: building a B-tree from sorted data is several times faster than inserting
 * millions of rows into it one by one (pg_restore does the same). The definitions are read from the
 * catalog, not written here, so whatever the migrations define is what comes back; a rolled-back
 * restore leaves them exactly as they were.
 */
import type { Queryable } from '../store/database.js';

export interface DroppedIndex {
  table: string;
  name: string;
  drop: string;
  create: string;
}

export async function dropIndexes(tx: Queryable, tables: readonly string[]): Promise<DroppedIndex[]> {
  const rows = await tx.query<{ tbl: string; idx: string; def: string; conname: string | null; condef: string | null }>(
    `SELECT quote_ident(t.relname) AS tbl, quote_ident(ic.relname) AS idx, pg_get_indexdef(i.indexrelid) AS def,
            quote_ident(con.conname) AS conname, pg_get_constraintdef(con.oid) AS condef
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = t.oid
      WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1::text[])
      ORDER BY t.relname, ic.relname`,
    [tables],
  );
  const dropped = rows.map((r): DroppedIndex => r.conname && r.condef
    ? { table: r.tbl, name: r.idx, drop: `ALTER TABLE public.${r.tbl} DROP CONSTRAINT ${r.conname}`, create: `ALTER TABLE public.${r.tbl} ADD CONSTRAINT ${r.conname} ${r.condef}` }
    : { table: r.tbl, name: r.idx, drop: `DROP INDEX public.${r.idx}`, create: r.def });
  for (const index of dropped) await tx.query(index.drop);
  return dropped;
}

export async function recreateIndexes(tx: Queryable, dropped: readonly DroppedIndex[], onIndex?: (done: number, total: number, name: string) => void): Promise<void> {
  for (const [i, index] of dropped.entries()) {
    onIndex?.(i, dropped.length, index.name);
    await tx.query(index.create);
  }
  onIndex?.(dropped.length, dropped.length, '');
}
