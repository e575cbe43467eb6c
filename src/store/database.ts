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
  /**
   * `name` makes it a named prepared statement: PostgreSQL parses and plans it once per connection.
   * Give one only to fixed SQL on hot paths (never to SQL built from a request).
   */
  query<R extends Record<string, any> = Record<string, any>>(sql: string, params?: unknown[], name?: string): Promise<R[]>;
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
    async query(sql, params, name) {
      return (await pool.query({ text: sql, values: params as unknown[], name })).rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      // A server dropping the connection mid-transaction emits 'error' on the checked-out client;
      // unheard, that would crash the process. The failing query rejects and the caller sees that.
      const ignore = () => {};
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: async (sql, params, name) => (await client.query({ text: sql, values: params as unknown[], name })).rows };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.off('error', ignore);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
