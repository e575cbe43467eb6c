/**
 * Before any FHIR route runs: which interaction the request is, on which resource type, and whether
 * the caller's role may do it (the permission table). The route then checks patients and scope as
 * the data comes (src/security/access-control.ts). One hook for every route, so no route can forget.
 */
import type { FastifyRequest } from 'fastify';
import type { AccessInteraction } from '../../audit/access-record.js';
import { breakGlassReason, forbidden, type AccessControl } from '../../security/access-control.js';
import { PERMISSION_TABLE } from '../../security/permissions/permission-table.js';
import type { Interaction } from '../../security/permissions/permissions.js';
import { isSupportedResourceType } from '../resource-types.js';

interface RouteTarget {
  audit: AccessInteraction;
  /** The table's interaction to require on the type; undefined when checked elsewhere (Bundle entries) or not needed (metadata). */
  check?: Interaction;
}

/** What a route is, by method and route pattern (as registered in the FHIR plugin, prefix removed). */
function targetOf(method: string, route: string, bundleType: unknown): RouteTarget {
  const pattern = route.replace(/^\/fhir\/R4/, '').replace(/^\/AuditEvent/, '/:type');
  switch (`${method} ${pattern}`) {
    case 'GET /metadata': return { audit: 'capabilities' };
    case 'POST /': return { audit: bundleType === 'transaction' ? 'transaction' : 'batch' };
    case 'GET /_history': return { audit: 'history' };
    case 'POST /:type': return { audit: 'create', check: 'create' };
    case 'GET /:type': case 'POST /:type/_search': case 'POST /:type/$match': return { audit: 'search', check: 'search' };
    case 'PUT /:type': return { audit: 'update', check: 'update' };
    case 'GET /:type/_history': case 'GET /:type/:id/_history': return { audit: 'history', check: 'history' };
    case 'GET /:type/:id': return { audit: 'read', check: 'read' };
    case 'GET /:type/:id/_history/:vid': return { audit: 'vread', check: 'read' };
    case 'PUT /:type/:id': return { audit: 'update', check: 'update' };
    case 'PATCH /:type/:id': return { audit: 'patch', check: 'update' };
    case 'DELETE /:type/:id': return { audit: 'delete', check: 'delete' };
    default: return { audit: 'operation', check: method === 'GET' ? 'read' : 'update' };
  }
}

export function authorizeRoute(access: AccessControl, beforeRead?: (request: FastifyRequest) => void) {
  return async function authorize(request: FastifyRequest): Promise<void> {
    const principal = request.principal!;
    const params = (request.params ?? {}) as { type?: string; id?: string };
    const route = request.routeOptions.url ?? '';
    const resourceType = route.includes('/AuditEvent') ? 'AuditEvent' : params.type;
    const target = targetOf(request.method, route, (request.body as { type?: unknown } | undefined)?.type);
    request.access = {
      interaction: target.audit,
      resourceType: resourceType && isSupportedResourceType(resourceType) ? resourceType : undefined,
      resourceId: params.id,
      patients: new Set(),
      breakGlassReason: breakGlassReason(request),
      brokeGlass: false,
    };
    if (request.access.breakGlassReason !== undefined && !(principal.role && PERMISSION_TABLE[principal.role].breakGlass)) {
      throw forbidden(`the role ${principal.role ?? '(none)'} cannot open records outside its scope (break-glass is for clinicians)`);
    }
    // An unknown type is the route's 404 to give, with its own message.
    if (target.check && request.access.resourceType) access.require(principal, request.access.resourceType, target.check);
    if (target.check === 'read' || target.check === 'search' || target.check === 'history' || target.audit === 'history') beforeRead?.(request);
  };
}
