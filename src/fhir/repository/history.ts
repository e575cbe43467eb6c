/** _history at instance, type and system level, newest first, with _since, _at-free paging by _count/_offset. */
import type { Queryable } from '../../store/database.js';
import { badRequest } from '../outcome.js';
import type { FhirResource, RequestContext } from './context.js';

export interface HistoryRequest {
  resourceType?: string;
  id?: string;
  params: URLSearchParams;
}

const MAX_COUNT = 1000;

export async function history(db: Queryable, ctx: RequestContext, request: HistoryRequest): Promise<FhirResource> {
  const { resourceType, id, params } = request;
  const count = intParam(params, '_count', 100, 0, MAX_COUNT);
  const offset = intParam(params, '_offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const since = params.get('_since');
  if (since !== null && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(since) || Number.isNaN(Date.parse(since)))) {
    throw badRequest(`_since must be an instant such as 2024-01-31T10:00:00Z, got "${since}"`, '_since');
  }
  const where = ['hospital_id = $1'];
  const values: unknown[] = [ctx.hospitalId];
  if (resourceType) where.push(`resource_type = $${values.push(resourceType)}`);
  if (id) where.push(`id = $${values.push(id)}`);
  if (since) where.push(`last_updated >= $${values.push(since)}`);
  const rows = await db.query(
    `SELECT resource_type, id, version_id, last_updated, deleted, method, resource FROM resource_version
      WHERE ${where.join(' AND ')} ORDER BY last_updated DESC, seq DESC, version_id DESC LIMIT $${values.push(count + 1)} OFFSET $${values.push(offset)}`,
    values,
  );
  const more = rows.length > count;
  const page = rows.slice(0, count);
  const path = [resourceType, id].filter(Boolean).join('/');
  const self = `${ctx.baseUrl}/${path ? `${path}/` : ''}_history`;
  const link = (o: number) => `${self}?${new URLSearchParams({ ...(since ? { _since: since } : {}), _count: String(count), _offset: String(o) })}`;
  return {
    resourceType: 'Bundle',
    type: 'history',
    ...(!more ? { total: offset + page.length } : {}),
    link: [
      { relation: 'self', url: link(offset) },
      ...(more ? [{ relation: 'next', url: link(offset + count) }] : []),
      ...(offset > 0 ? [{ relation: 'previous', url: link(Math.max(0, offset - count)) }] : []),
    ],
    entry: page.map((r) => {
      const lastModified = new Date(r.last_updated).toISOString();
      return {
        fullUrl: `${ctx.baseUrl}/${r.resource_type}/${r.id}`,
        ...(r.resource ? { resource: r.resource } : {}),
        request: { method: r.method === 'PATCH' ? 'PATCH' : r.method, url: r.method === 'POST' ? r.resource_type : `${r.resource_type}/${r.id}` },
        response: { status: r.deleted ? '204 No Content' : r.version_id === 1 ? '201 Created' : '200 OK', etag: `W/"${r.version_id}"`, lastModified },
      };
    }),
  };
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw badRequest(`${name} must be a whole number, got "${raw}"`, name);
  return Math.min(Math.max(Number(raw), min), max);
}
