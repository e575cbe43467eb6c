/** The hospital's name as the server keeps it, for the browser app's header (web-plugin.ts). */
import type { Queryable } from '../store/database.js';

export async function hospitalName(db: Queryable, hospitalId: string): Promise<string> {
  const [row] = await db.query<{ name: string }>('SELECT name FROM hospital WHERE id = $1', [hospitalId]);
  return row?.name ?? hospitalId;
}
