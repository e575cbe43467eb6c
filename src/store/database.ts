/**
 * The one interface above PostgreSQL. The embedded server and an external one (DATABASE_URL) both
 * end up as a `pg` pool behind this; nothing above the store knows which one runs.
 */
import pg from 'pg';

// Return int8 (bigint: ledger sequence numbers, counts) as JS numbers: they stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric as number (search index values are ordinary measurements).
pg.types.setTypeParser(1700, (v) => Number(v));

export interface Queryable {
  query<R extends Record<string, any> = Record<string, any>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Database extends Queryable {
  /** Runs `fn` in one transaction: COMMIT on success, ROLLBACK on any thrown error. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function connectDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  return {
    async query(sql, params) {
      return (await pool.query(sql, params as unknown[])).rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: async (sql, params) => (await client.query(sql, params as unknown[])).rows };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
