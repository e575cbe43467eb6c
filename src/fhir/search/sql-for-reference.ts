/**
 * Reference search (search.html#reference): `Type/id`, a bare `id` (for each type the parameter
 * can point to), an absolute URL (relative again when it points at this server), and the `:Type`
 * modifier (`subject:Patient=123`).
 */
import { indexMatch, missingFilter, unsupportedModifier, type FilterContext, type SearchFilter } from './search-filter.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';
import { normaliseReference } from './index-reference.js';
import { isSupportedResourceType } from '../resource-types.js';
import { SearchValueError } from './search-value-error.js';

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function sqlForReference(filter: SearchFilter, ctx: FilterContext): string {
  const { modifier } = filter;
  if (modifier === 'missing') return missingFilter(filter, ctx);
  const targets = filter.param.definition.target ?? [];
  let typeModifier: string | undefined;
  if (modifier !== undefined) {
    if (!isSupportedResourceType(modifier)) unsupportedModifier(filter);
    if (targets.length > 0 && !targets.includes(modifier)) {
      throw new SearchValueError(`${filter.name}: '${filter.code}' cannot refer to ${modifier}`);
    }
    typeModifier = modifier;
  }
  const references = splitSearchValue(filter.value, ',').flatMap((part) =>
    candidates(filter, unescapeSearchValue(part), typeModifier ? [typeModifier] : targets, ctx.baseUrl),
  );
  const p = ctx.params;
  return indexMatch(ctx, filter.code, references.length === 1 ? `s.value = ${p.add(references[0])}` : `s.value = ANY(${p.add(references)}::text[])`);
}

/** The indexed forms `value` can match. */
function candidates(filter: SearchFilter, value: string, types: string[], baseUrl: string): string[] {
  const local = baseUrl && value.startsWith(`${baseUrl}/`) ? value.slice(baseUrl.length + 1) : value;
  if (ID.test(local)) {
    // A bare id: the reference to it from each type the parameter may point to.
    if (types.length === 0) throw new SearchValueError(`${filter.name}: '${value}' needs a type (Type/id)`);
    return types.flatMap((t) => (baseUrl ? [`${t}/${local}`, `${baseUrl}/${t}/${local}`] : [`${t}/${local}`]));
  }
  const slash = local.indexOf('/');
  if (slash > 0 && !local.includes('://') && !local.startsWith('urn:')) {
    const type = local.slice(0, slash);
    if (!isSupportedResourceType(type)) throw new SearchValueError(`${filter.name}: '${type}' is not a resource type`);
    if (types.length > 0 && !types.includes(type)) throw new SearchValueError(`${filter.name}: '${filter.code}' cannot refer to ${type}`);
  }
  const normalised = normaliseReference(local);
  if (normalised === undefined) throw new SearchValueError(`${filter.name}: '${value}' is not a reference`);
  // A reference written as an absolute URL to this server is indexed as written.
  return baseUrl && /^[A-Z][A-Za-z]+\/[^/]+$/.test(normalised) ? [normalised, `${baseUrl}/${normalised}`] : [normalised];
}
