/**
 * PostgreSQL's COPY text format, for the bulk load of a restore: one line per row, fields separated
 * by tabs, NULL as \N, and a backslash escape for the four characters that would break the framing
 * (backslash, newline, carriage return, tab). Ledger bodies are JSON text full of backslashes (every
 * escaped quote), so getting this wrong would not fail loudly: it would store different bytes, and
 * only the hash check after the load would notice. Values are written as the writer's JSON
 * parameters would carry them: numbers as JSON numbers, objects as JSON text (jsonb columns).
 */
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPABLE = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeCopyText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPABLE, (c) => ESCAPES[c]) : text;
}

export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string': return escapeCopyText(value);
    case 'boolean': return value ? 't' : 'f';
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot COPY the number ${value}`);
      return String(value);
    default: return escapeCopyText(JSON.stringify(value));
  }
}

/** One COPY line of `row`, its fields taken in the order of `columns`. */
export function copyLine(row: Record<string, unknown>, columns: readonly string[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i > 0 ? '\t' : '') + copyField(row[columns[i]]);
  return `${line}\n`;
}
