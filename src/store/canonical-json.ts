/**
 * RFC 8785 canonical JSON, byte for byte what the `canonicalize` package (4.x) makes of any value,
 * errors included, in a fraction of its time on the ledger's shapes (flat access records by the
 * hundred, FHIR resources). The package checks every string for lone surrogates one character at a
 * time in JavaScript and builds each object through an array of template strings; here one native
 * regular expression looks for surrogates at all (almost never any) and the text is built by
 * concatenation. Anything out of the ordinary (toJSON, functions, symbols, bigints, sparse arrays)
 * goes to the package itself, with the same set of objects being visited, so the answers and the
 * errors stay the package's.
 *
 * test/store/canonical-json.test.ts compares the two over many random records and values.
 */
import canonicalizePackage from 'canonicalize';

/**
 * The package's function takes, besides the value, the set of objects being visited (for its cycle
 * check); its type declaration leaves that out. Passing ours keeps a cycle through a value handed to
 * it an error, as in the package, rather than endless recursion (the cycle tests check this).
 */
const packageCanonicalize = canonicalizePackage as (value: unknown, seen?: Set<object>) => string | undefined;

const SURROGATE = /[\uD800-\uDFFF]/;

/** Keys already quoted (and checked): records repeat the same few dozen. */
const QUOTED_KEYS = new Map<string, string>();

/** A drop-in for the package's default export: the canonical text, or undefined where it gives undefined. */
export function canonicalize(value: unknown): string | undefined {
  return serialize(value, new Set());
}

/** The canonical text (what the ledger hashes: src/store/ledger-entry.ts), or an error for a value that has none. */
export function canonicalJson(value: unknown): string {
  const text = serialize(value, new Set());
  if (text === undefined) throw new Error('value cannot be canonicalised');
  return text;
}

function serialize(value: unknown, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isNaN(value)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return packageCanonicalize(value, seen);
      if (seen.has(value)) throw new Error('Circular reference detected');
      return Array.isArray(value) ? serializeArray(value, seen) : serializeObject(value as Record<string, unknown>, seen);
    default:
      // undefined, a function, a symbol, a bigint: whatever the package does with them.
      return packageCanonicalize(value, seen);
  }
}

function quote(text: string): string {
  if (SURROGATE.test(text) && hasLoneSurrogate(text)) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(text);
}

function serializeArray(array: unknown[], seen: Set<object>): string | undefined {
  for (let i = 0; i < array.length; i++) {
    // A hole (map skips it, join writes nothing): the package's own way.
    if (!(i in array)) return packageCanonicalize(array, seen);
  }
  seen.add(array);
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    const text = v === undefined || typeof v === 'symbol' ? 'null' : serialize(v, seen);
    // join() writes undefined (a function's JSON) as nothing.
    out += i === 0 ? text ?? '' : `,${text ?? ''}`;
  }
  seen.delete(array);
  return `${out}]`;
}

function serializeObject(object: Record<string, unknown>, seen: Set<object>): string {
  seen.add(object);
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = object[key];
    if (v === undefined || typeof v === 'symbol') continue;
    // A template literal writes undefined (a function's JSON) as 'undefined'.
    let quoted = QUOTED_KEYS.get(key);
    if (quoted === undefined) {
      quoted = quote(key);
      if (QUOTED_KEYS.size < 10_000) QUOTED_KEYS.set(key, quoted);
    }
    const text = `${quoted}:${serialize(v, seen)}`;
    out += first ? text : `,${text}`;
    first = false;
  }
  seen.delete(object);
  return `${out}}`;
}

function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      if (i === value.length - 1) return true;
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}
