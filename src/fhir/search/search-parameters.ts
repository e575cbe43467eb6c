/**
 * The search parameters of a resource type, each with its FHIRPath expression parsed once.
 *
 * The official R4 expressions are unions over every resource type that shares a parameter
 * ("Patient.address | Person.address | Practitioner.address | ..."). Evaluating all branches on
 * every write costs ~10x more than evaluating the one branch that can match, so each expression is
 * cut down to the branches rooted at this type (or at Resource/DomainResource, rewritten to this
 * type, because @medplum/core's evaluator does not treat `Resource.` as "any resource").
 */
import { getSearchParameterDetails, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { searchParametersFor, type SearchParameterDefinition } from '../definitions.js';
import { compilePath, type CompiledPath } from './compiled-path.js';

export type SearchParameterType = SearchParameterDefinition['type'];

export interface SearchParameter {
  code: string;
  type: SearchParameterType;
  definition: SearchParameterDefinition;
  /** The expression for this resource type, parsed; undefined when it has none (e.g. _text). */
  expression?: FhirPathAtom;
  /** The same expression compiled (compiled-path.ts) when it has only the shapes that covers. */
  compiled?: CompiledPath;
  /**
   * Date parameters only: every value is a date, dateTime or instant (no Period or Timing), so no
   * indexed range spans more than a year ('2020'). Searches use this to bound low_time when they
   * compare high_time, which keeps `birthdate=ge2020` a range scan of the time index.
   */
  pointInTime?: boolean;
}

/** Parameters the search index never holds: composites and specials, full-text and _query,
 * and _id/_lastUpdated, which are columns of resource_current. */
const NOT_INDEXED = new Set(['_text', '_content', '_query', '_id', '_lastUpdated']);

const byType = new Map<string, Map<string, SearchParameter>>();
const indexedByType = new Map<string, SearchParameter[]>();

/** All search parameters of `resourceType` by code (cached); empty for an unknown type. */
export function searchParametersOf(resourceType: string): Map<string, SearchParameter> {
  let params = byType.get(resourceType);
  if (params) return params;
  params = new Map();
  for (const [code, definition] of searchParametersFor(resourceType)) {
    const source = definition.expression ? expressionForType(definition.expression, resourceType) : undefined;
    let expression: FhirPathAtom | undefined;
    try {
      expression = source ? parseFhirPath(source) : undefined;
    } catch {
      // An expression the engine cannot parse leaves the parameter unindexed rather than
      // breaking every write of this type.
      expression = undefined;
    }
    const pointInTime = definition.type === 'date' && expression ? isPointInTime(resourceType, definition) : undefined;
    const compiled = expression ? compilePath(expression) : undefined;
    params.set(code, { code, type: definition.type, definition, expression, compiled, pointInTime });
  }
  byType.set(resourceType, params);
  return params;
}

/** The parameters whose values go into search_index for `resourceType`. */
export function indexedSearchParameters(resourceType: string): SearchParameter[] {
  let list = indexedByType.get(resourceType);
  if (list) return list;
  list = [...searchParametersOf(resourceType).values()].filter(
    (p) => p.expression && p.type !== 'composite' && p.type !== 'special' && !NOT_INDEXED.has(p.code),
  );
  indexedByType.set(resourceType, list);
  return list;
}

const POINT_TYPES = new Set(['date', 'dateTime', 'instant', 'string']);
// Indexed as nothing (see index-date.ts), so they cannot widen a range either.
const UNINDEXED_DATE_TYPES = new Set(['Age', 'Range']);

function isPointInTime(resourceType: string, definition: SearchParameterDefinition): boolean {
  try {
    const details = getSearchParameterDetails(resourceType, definition as Parameters<typeof getSearchParameterDetails>[1]);
    const types = (details.elementDefinitions ?? []).flatMap((e) => (e.type ?? []).map((t) => t.code));
    return types.length > 0 && types.every((t) => POINT_TYPES.has(t) || UNINDEXED_DATE_TYPES.has(t));
  } catch {
    return false; // unknown shape: assume values may be Periods
  }
}

/** The union branches of `expression` that apply to `resourceType`, joined again with `|`. */
export function expressionForType(expression: string, resourceType: string): string | undefined {
  const branches: string[] = [];
  for (const branch of splitUnion(expression)) {
    const root = /^\(*\s*([A-Za-z]+)/.exec(branch)?.[1];
    if (root === resourceType) branches.push(branch);
    else if (root === 'Resource' || root === 'DomainResource') {
      branches.push(branch.replace(/^(\(*\s*)(?:Resource|DomainResource)\b/, `$1${resourceType}`));
    }
  }
  return branches.length > 0 ? branches.join(' | ') : undefined;
}

/** Splits on top-level `|` (outside parentheses and string literals). */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === '\\' && quoted) i++;
    else if (ch === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}
