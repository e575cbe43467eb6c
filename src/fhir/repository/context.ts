/** Who is asking, for which hospital, from where: carried by every repository call into the ledger. */
export interface RequestContext {
  hospitalId: string;
  /** The authenticated principal, e.g. 'bootstrap-admin' or 'Practitioner/123'. */
  actor: string;
  sourceIp: string | null;
  /** The client's idempotency key (X-Request-Id) for writes, if it sent one. */
  requestId: string | null;
  /** SHA-256 of the request (method, URL, body): a reused X-Request-Id with another request is refused. */
  requestHash: string | null;
  /** Base URL of the FHIR endpoint as the client sees it, e.g. http://host:8080/fhir/R4. */
  baseUrl: string;
}

export type FhirResource = { resourceType: string; id?: string; meta?: Record<string, unknown>; [key: string]: unknown };
