/**
 * FHIR R4 search (search.html) over the projections: resource_current for what exists now,
 * resource_version for its content, search_index for the criteria. Every statement is scoped to
 * the request's hospital ($1) and type ($2); all user input travels as bind parameters.
 */
import type { Queryable } from '../../store/database.js';
import { statementNameFor } from '../../store/statement-names.js';
import { notFound } from '../outcome.js';
import { isSupportedResourceType } from '../resource-types.js';
import { parseSearchRequest, type SearchPlan } from './parse-search-request.js';
import { loadIncludes, type StoredResource } from './include.js';
import { searchsetBundle, type Bundle } from './search-bundle.js';
import { selectElements } from './elements.js';
import { matchConditions, pageStatement, walkStatement } from './sql-for-page.js';

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

  const rows = await pageRows(db, plan);
  const hasNext = rows.length > plan.count;
  const matches = (hasNext ? rows.slice(0, plan.count) : rows).map(resourceTypeFirst);

  let total: number | undefined;
  if (plan.total !== 'none') {
    // A page that reaches the end tells the total exactly; otherwise only _total=accurate pays for a count.
    if (!hasNext && (matches.length > 0 || plan.offset === 0)) total = plan.offset + matches.length;
    else if (plan.total === 'accurate') total = await countMatches(db, plan);
  }

  const includes = (await loadIncludes(db, request.hospitalId, request.baseUrl.replace(/\/+$/, ''), matches, plan.includes)).map(resourceTypeFirst);
  const shown = plan.elements ? matches.map((m) => ({ ...m, resource: selectElements(m.resource, plan.elements!) })) : matches;
  return searchsetBundle({ ...parts, hasNext, total, matches: shown, includes });
}

/**
 * The page's rows. A driven page walks a bounded number of its driver's index rows (so PostgreSQL
 * plans a quick walk, not a read of every match); a page that comes back short was either the end
 * of the matches or a walk cut short by criteria few rows meet; only then is the walk measured,
 * and retried eight times longer while it was cut short.
 */
async function pageRows(db: Queryable, plan: SearchPlan): Promise<StoredResource[]> {
  let walk = (plan.offset + plan.count + 1) * 4 + 100;
  for (;;) {
    const page = pageStatement(plan, walk);
    const rows = await db.query<StoredResource>(page.sql, page.params, statementNameFor(page.sql));
    if (!plan.driver || rows.length > plan.count) return rows;
    const measure = walkStatement(plan, walk);
    const [{ walked }] = await db.query<{ walked: number }>(measure.sql, measure.params);
    if (walked < walk) return rows;
    walk *= 8;
  }
}

/** jsonb keeps keys in its own order; FHIR JSON conventionally starts with resourceType. */
function resourceTypeFirst(r: StoredResource): StoredResource {
  return { ...r, resource: { resourceType: r.resourceType, ...r.resource } };
}

async function countMatches(db: Queryable, plan: SearchPlan): Promise<number> {
  const rows = await db.query<{ total: number }>(
    `SELECT count(*) AS total FROM resource_current c WHERE ${matchConditions(plan.where)}`,
    plan.params.values.slice(0, plan.whereParamCount),
  );
  return rows[0].total;
}
