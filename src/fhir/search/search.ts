/**
 * FHIR R4 search (search.html) over the projections: resource_current for what exists now,
 * resource_version for its content, search_index for the criteria. Every statement is scoped to
 * the request's hospital ($1) and type ($2); all user input travels as bind parameters.
 */
import type { Queryable } from '../../store/database.js';
import { notFound } from '../outcome.js';
import { isSupportedResourceType } from '../resource-types.js';
import { parseSearchRequest, type SearchPlan } from './parse-search-request.js';
import { loadIncludes, type StoredResource } from './include.js';
import { searchsetBundle, type Bundle } from './search-bundle.js';
import { selectElements } from './elements.js';

export type { Bundle, BundleEntry, BundleLink } from './search-bundle.js';
export { parseSearchParams } from './parse-search-params.js';

export interface SearchRequest {
  hospitalId: string;
  resourceType: string;
  params: Array<[string, string]>;
  /** The FHIR base URL as the client sees it, e.g. http://host:port/fhir/R4. */
  baseUrl: string;
  /** Prefer: handling=strict: refuse what cannot be applied instead of ignoring it. */
  strict: boolean;
}

export async function search(db: Queryable, request: SearchRequest): Promise<Bundle> {
  if (!isSupportedResourceType(request.resourceType)) throw notFound(`Unknown resource type '${request.resourceType}'`);
  const plan = parseSearchRequest(request);
  const parts = { baseUrl: request.baseUrl, resourceType: request.resourceType, linkParams: plan.linkParams, count: plan.count, offset: plan.offset, warnings: plan.warnings };

  if (plan.summaryCount) {
    const total = await countMatches(db, plan);
    return searchsetBundle({ ...parts, hasNext: false, total, matches: [], includes: [] });
  }

  const params = plan.params.values.slice();
  params.push(plan.count + 1, plan.offset);
  // The page is chosen from resource_current and the index alone; only its rows then fetch their
  // content. (Joining resource_version before the LIMIT made PostgreSQL read the jsonb of every
  // match.) The outer query is aliased `c` as well, so the same ORDER BY applies to both.
  // One row more than the page shows whether another page follows, without counting.
  const rows = await db.query<StoredResource>(
    `SELECT c.resource_type AS "resourceType", c.id, v.resource
       FROM (SELECT c.hospital_id, c.resource_type, c.id, c.version_id, c.last_updated
               FROM resource_current c
              WHERE ${matchConditions(plan)}
              ORDER BY ${plan.orderBy}
              LIMIT $${params.length - 1} OFFSET $${params.length}) c
       JOIN resource_version v ON v.hospital_id = c.hospital_id AND v.resource_type = c.resource_type AND v.id = c.id AND v.version_id = c.version_id
      ORDER BY ${plan.orderBy}`,
    params,
  );
  const hasNext = rows.length > plan.count;
  const matches = (hasNext ? rows.slice(0, plan.count) : rows).map(resourceTypeFirst);

  let total: number | undefined;
  if (plan.total !== 'none') {
    // A page that reaches the end tells the total exactly; otherwise only _total=accurate pays for a count.
    if (!hasNext && (matches.length > 0 || plan.offset === 0)) total = plan.offset + matches.length;
    else if (plan.total === 'accurate') total = await countMatches(db, plan);
  }

  const includes = (await loadIncludes(db, request.hospitalId, matches, plan.includes)).map(resourceTypeFirst);
  const shown = plan.elements ? matches.map((m) => ({ ...m, resource: selectElements(m.resource, plan.elements!) })) : matches;
  return searchsetBundle({ ...parts, hasNext, total, matches: shown, includes });
}

/** jsonb keeps keys in its own order; FHIR JSON conventionally starts with resourceType. */
function resourceTypeFirst(r: StoredResource): StoredResource {
  return { ...r, resource: { resourceType: r.resourceType, ...r.resource } };
}

function matchConditions(plan: SearchPlan): string {
  return ['c.hospital_id = $1', 'c.resource_type = $2', 'NOT c.deleted', ...plan.where].join('\n        AND ');
}

async function countMatches(db: Queryable, plan: SearchPlan): Promise<number> {
  const rows = await db.query<{ total: number }>(
    `SELECT count(*) AS total FROM resource_current c WHERE ${matchConditions(plan)}`,
    plan.params.values.slice(0, plan.whereParamCount),
  );
  return rows[0].total;
}
