/**
 * Reading a desk's JSON body field by field: every problem is collected and reported at once, each
 * issue naming its field (`orders[2]`, `reason`), as one 400 before anything is read from the store.
 */
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface FieldReader {
  bad(field: string, text: string): void;
  /** A resource id given as `x` or `Type/x`. */
  id(field: string, type: string, required?: boolean): string | undefined;
  /** A non-empty list of distinct ids. */
  ids(field: string, type: string, max: number): string[];
  text(field: string, max: number, required?: boolean): string | undefined;
  /** An ISO 8601 instant with a time zone, not in the future. */
  instant(field: string): string | undefined;
}

export function readRequest<T>(body: Record<string, unknown>, known: string[], build: (r: FieldReader) => T): T {
  const problems: OperationOutcomeIssue[] = [];
  const bad = (field: string, text: string) => { problems.push(issue('invalid', `${field}: ${text}`, field)); };
  for (const key of Object.keys(body)) if (!known.includes(key)) bad(key, `is not a field here (${known.join(', ')})`);
  const idText = (raw: unknown, type: string) => (typeof raw === 'string' ? raw.trim().replace(new RegExp(`^${type}/`), '') : '');
  const reader: FieldReader = {
    bad,
    id(field, type, required = false) {
      const raw = body[field];
      if (raw === undefined || raw === null || raw === '') {
        if (required) bad(field, `is required (a ${type} id)`);
        return undefined;
      }
      const id = idText(raw, type);
      if (!FHIR_ID.test(id)) { bad(field, `must name a ${type} (its id or ${type}/<id>)`); return undefined; }
      return id;
    },
    ids(field, type, max) {
      const raw = body[field];
      if (!Array.isArray(raw) || raw.length === 0) { bad(field, `is required: a list of ${type} ids`); return []; }
      if (raw.length > max) { bad(field, `has more than ${max} items`); return []; }
      const ids: string[] = [];
      raw.forEach((item, i) => {
        const id = idText(item, type);
        if (!FHIR_ID.test(id)) bad(`${field}[${i}]`, `must name a ${type} (its id or ${type}/<id>)`);
        else if (ids.includes(id)) bad(`${field}[${i}]`, `${id} is given twice`);
        else ids.push(id);
      });
      return ids;
    },
    text(field, max, required = false) {
      const raw = body[field];
      if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
        if (required) bad(field, 'is required');
        return undefined;
      }
      if (typeof raw !== 'string') { bad(field, 'must be text'); return undefined; }
      if (raw.trim().length > max) { bad(field, `is longer than ${max} characters`); return undefined; }
      return raw.trim();
    },
    instant(field) {
      const raw = body[field];
      if (raw === undefined || raw === null) return undefined;
      const ok = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) && !Number.isNaN(Date.parse(raw));
      if (!ok) { bad(field, 'must be a date and time with its zone, e.g. 2026-11-27T09:15:00+05:30'); return undefined; }
      // A minute of grace for a desk clock that runs a little fast.
      if (Date.parse(raw) > Date.now() + 60_000) { bad(field, 'is in the future'); return undefined; }
      return new Date(Date.parse(raw)).toISOString();
    },
  };
  const value = build(reader);
  if (problems.length > 0) throw new FhirError(400, problems);
  return value;
}
