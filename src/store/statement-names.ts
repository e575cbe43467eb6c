/**
 * Names for prepared statements whose SQL is built per request from a small number of shapes (the
 * search module's). A named statement is parsed and planned once per connection; PostgreSQL keeps
 * it for the connection's life, so the number of names is capped: past the cap, new shapes run
 * unprepared, and a flood of odd queries cannot grow server memory without bound.
 */
import { createHash } from 'node:crypto';

const MAX_SHAPES = 200;
const names = new Map<string, string>();

export function statementNameFor(sql: string): string | undefined {
  const known = names.get(sql);
  if (known || names.size >= MAX_SHAPES) return known;
  const name = `shape_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
  names.set(sql, name);
  return name;
}
