/** Reading one Bundle.entry of a batch or transaction: what it asks for, checked before anything runs. */
import { FhirError, badRequest } from '../outcome.js';
import { validated } from './validated.js';
import { isSupportedResourceType } from '../resource-types.js';
import type { FhirResource } from './context.js';

export interface BundleRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  resourceType: string;
  id?: string;
  query?: string;
  fullUrl?: string;
  resource?: FhirResource;
  patch?: unknown;
  ifMatch?: string;
  ifNoneExist?: string;
  /** Id chosen for a new resource before the transaction runs (so urn:uuid references can point at it). */
  assignedId?: string;
  /** Set when the entry itself is malformed: a batch answers it with this error, a transaction fails. */
  error?: FhirError;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function parseBundleRequest(raw: unknown, index: number): BundleRequest {
  const at = `Bundle.entry[${index}]`;
  const entry = raw as { fullUrl?: string; resource?: FhirResource; request?: { method?: string; url?: string; ifMatch?: string; ifNoneExist?: string } };
  if (!entry || typeof entry !== 'object') throw badRequest(`${at} must be an object`, at);
  const request = entry.request;
  if (!request || typeof request.method !== 'string' || !METHODS.has(request.method)) {
    throw badRequest(`${at}.request.method must be one of ${[...METHODS].join(', ')}`, `${at}.request.method`);
  }
  if (typeof request.url !== 'string' || request.url.length === 0) throw badRequest(`${at}.request.url is required`, `${at}.request.url`);
  const [path, query] = request.url.replace(/^\//, '').split('?', 2);
  const [resourceType, id, ...rest] = path.split('/');
  if (!isSupportedResourceType(resourceType)) throw badRequest(`${at}.request.url names an unknown resource type "${resourceType}"`, `${at}.request.url`);
  if (rest.length > 0 && !(rest[0] === '_history' && request.method === 'GET')) throw badRequest(`${at}.request.url "${request.url}" is not supported`, `${at}.request.url`);
  const method = request.method as BundleRequest['method'];
  const result: BundleRequest = { method, resourceType, id: id || undefined, query, fullUrl: entry.fullUrl, ifMatch: request.ifMatch, ifNoneExist: request.ifNoneExist };
  if ((method === 'PUT' || method === 'PATCH' || method === 'DELETE') && !id && !query) {
    throw badRequest(`${at}.request.url must name a resource (Type/id) or criteria for ${method}`, `${at}.request.url`);
  }
  if (method === 'POST' || method === 'PUT') {
    try {
      result.resource = validated(entry.resource, resourceType);
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      throw new FhirError(err.status, err.outcome.issue.map((i) => ({
        ...i, diagnostics: `${at}: ${i.diagnostics ?? ''}`, expression: i.expression?.map((x) => `${at}.resource.${x.split('.').slice(1).join('.')}`.replace(/\.$/, '')),
      })));
    }
    if (method === 'PUT' && id && result.resource.id !== undefined && result.resource.id !== id) {
      throw badRequest(`${at}.resource.id "${result.resource.id}" does not match request.url "${request.url}"`, `${at}.resource.id`);
    }
  }
  if (method === 'PATCH') result.patch = decodePatch(entry.resource, at);
  return result;
}

/** In a Bundle, a JSON Patch travels as a Binary resource with base64 data. */
function decodePatch(resource: unknown, at: string): unknown {
  const binary = resource as { resourceType?: string; contentType?: string; data?: string };
  if (binary?.resourceType !== 'Binary' || typeof binary.data !== 'string') {
    throw badRequest(`${at}.resource must be a Binary holding a JSON Patch for PATCH`, `${at}.resource`);
  }
  try {
    return JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
  } catch {
    throw badRequest(`${at}.resource.data is not a base64 JSON Patch`, `${at}.resource.data`);
  }
}
