/**
 * A single dedicated connection for the bulk load. The store's pool hands each query to whichever
 * connection is free; a COPY and the transaction around it must stay on one, so restore holds its own.
 */
import pg from 'pg';
import type { Queryable } from '../store/database.js';

export interface RestoreConnection extends Queryable {
  client: pg.Client;
  close(): Promise<void>;
}

export async function openRestoreConnection(url: string): Promise<RestoreConnection> {
  const client = new pg.Client({ connectionString: url, application_name: 'nirantar-restore' });
  // A server going away mid-restore must fail the restore, not crash the process.
  client.on('error', () => {});
  await client.connect();
  // What this connection stores is compressed with lz4 where the server has it: about six times
  // faster than the default pglz for the ledger's large bodies, and smaller. A server built without
  // lz4 refuses the setting; it then keeps its default.
  await client.query("SET default_toast_compression TO 'lz4'").catch(() => {});
  return {
    client,
    query: async (sql, params) => (await client.query({ text: sql, values: params as unknown[] })).rows,
    close: () => client.end().catch(() => {}),
  };
}
