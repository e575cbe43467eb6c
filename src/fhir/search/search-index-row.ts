/**
 * One row of the search_index table (without the hospital/type/id columns the writer adds): one
 * indexed value of one search parameter. See the column comments in
 * src/store/migrations/001-ledger-and-projections.sql for what each column holds per type.
 */
export interface SearchIndexRow {
  /** The search parameter code, e.g. 'name', 'birthdate'. */
  code: string;
  system?: string | null;
  value?: string | null;
  raw?: string | null;
  /** ISO 8601 instant, or '-infinity' for an open start. */
  lowTime?: string | null;
  /** ISO 8601 instant (inclusive), or 'infinity' for an open end. */
  highTime?: string | null;
  lowNum?: number | null;
  highNum?: number | null;
}
