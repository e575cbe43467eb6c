/**
 * The rules that turn one FHIR write interaction into the next resource version: version numbers,
 * meta, If-Match, tombstones. Pure functions over the current version, shared by single writes and
 * by batch/transaction Bundles.
 */
import { randomUUID } from 'node:crypto';
import { FhirError, gone, issue, notFound, preconditionFailed } from '../outcome.js';
import { canonicalJson, type VersionWrite, type WriteMethod } from '../../store/ledger-entry.js';
import type { FhirResource } from './context.js';
import type { StoredVersion } from './current-version.js';

export interface PlannedWrite {
  version: VersionWrite;
  /** The update carried exactly the current content: nothing is written, the current version stands. */
  unchanged?: boolean;
  /** HTTP status of this interaction: 201 created, 200 updated/deleted. */
  status: number;
}

export function newId(): string {
  return randomUUID();
}

function withMeta(resource: FhirResource, id: string, versionId: number, time: string): FhirResource {
  const meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated: time };
  return { ...resource, id, meta };
}

/** Parses `W/"3"` or `"3"` or `3` into 3. */
export function parseETag(etag: string, header = 'If-Match'): number {
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(etag.trim());
  if (!m) throw new FhirError(400, issue('invalid', `${header} must be a version ETag such as W/"1", got ${JSON.stringify(etag)}`));
  return Number(m[1]);
}

export function planCreate(resource: FhirResource, time: string, id = newId()): PlannedWrite {
  return { status: 201, version: versionOf('POST', resource.resourceType, id, 1, time, withMeta(resource, id, 1, time)) };
}

/** Update (or create-on-update with a client-chosen id). `ifMatch` is the version the client saw. */
export function planUpdate(
  resource: FhirResource,
  id: string,
  current: StoredVersion | undefined,
  time: string,
  ifMatch?: number,
  method: WriteMethod = 'PUT',
): PlannedWrite {
  if (ifMatch !== undefined && (!current || current.versionId !== ifMatch)) {
    throw preconditionFailed(
      current
        ? `${resource.resourceType}/${id} is at version ${current.versionId}, not ${ifMatch} (If-Match): someone else changed it; reload and retry`
        : `${resource.resourceType}/${id} does not exist, so If-Match ${ifMatch} cannot match`,
    );
  }
  if (current && !current.deleted && current.resource && sameContent(current.resource, resource)) {
    const meta = current.resource.meta as { lastUpdated: string };
    return { status: 200, unchanged: true, version: versionOf(method, resource.resourceType, id, current.versionId, meta.lastUpdated, current.resource) };
  }
  const versionId = (current?.versionId ?? 0) + 1;
  return {
    status: !current || current.deleted ? 201 : 200,
    version: versionOf(method, resource.resourceType, id, versionId, time, withMeta(resource, id, versionId, time)),
  };
}

/** Equal apart from meta.versionId and meta.lastUpdated (which the server sets). */
function sameContent(a: FhirResource, b: FhirResource): boolean {
  const strip = (r: FhirResource) => {
    const { versionId: _v, lastUpdated: _l, ...meta } = (r.meta ?? {}) as Record<string, unknown>;
    return canonicalJson({ ...r, meta });
  };
  return strip(a) === strip(b);
}

/** Delete: a tombstone version; deleting what is already deleted writes nothing. */
export function planDelete(resourceType: string, id: string, current: StoredVersion | undefined, time: string): PlannedWrite | undefined {
  if (!current) throw notFound(`${resourceType}/${id} does not exist`);
  if (current.deleted) return undefined;
  return { status: 200, version: versionOf('DELETE', resourceType, id, current.versionId + 1, time, undefined) };
}

/** The current, live resource, or the right error for a missing or deleted one. */
export function requireLive(resourceType: string, id: string, current: StoredVersion | undefined): FhirResource {
  if (!current) throw notFound(`${resourceType}/${id} does not exist`);
  if (current.deleted || !current.resource) throw gone(`${resourceType}/${id} was deleted (version ${current.versionId})`);
  return current.resource;
}

function versionOf(
  method: WriteMethod,
  resourceType: string,
  id: string,
  versionId: number,
  time: string,
  resource: FhirResource | undefined,
): VersionWrite {
  return {
    resourceType, id, versionId, lastUpdated: time, method, deleted: resource === undefined,
    ...(resource ? { resource } : {}),
  };
}
