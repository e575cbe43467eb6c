/**
 * The resource validator of the FHIR REST API: every create, update and bundle entry passes here
 * before anything is written. All failures are 400 Bad Request (as HAPI and Medplum answer
 * structural errors), and all issues found are reported together in one OperationOutcome, each
 * naming its element (`Patient.birthDate`), so a client can fix everything in one round trip.
 */
import { FhirError, issue, type OperationOutcomeIssue } from '../outcome.js';
import { isSupportedResourceType } from '../resource-types.js';
import { checkElements } from './element-walk.js';
import { checkStructure } from './structure-check.js';

/** FHIR id syntax (R4 datatypes: id). Resource.id is typed System.String, so medplum skips it. */
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Throws a 400 FhirError unless `resource` is a valid R4 resource (of `expectedType`, when given):
 * structure, cardinality, primitive formats and invariants per the R4 StructureDefinitions, codes
 * of required bindings, calendar dates, the types of nested resources, and the syntax of its id.
 */
export function validateResource(resource: unknown, expectedType?: string): void {
  // Without an object of a known type there is nothing to validate element by element: stop here.
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new FhirError(400, issue('structure', 'The body must be a FHIR resource: a JSON object with a resourceType'));
  }
  const json = resource as Record<string, unknown>;
  const type = json.resourceType;
  if (typeof type !== 'string' || type === '') {
    throw new FhirError(400, issue('required', 'resourceType is missing', 'resourceType'));
  }
  if (!isSupportedResourceType(type)) {
    throw new FhirError(400, issue('not-supported', `'${type}' is not a FHIR R4 resource type`, 'resourceType'));
  }
  if (expectedType !== undefined && type !== expectedType) {
    throw new FhirError(
      400,
      issue('invalid', `resourceType '${type}' does not match the type of this endpoint ('${expectedType}')`, 'resourceType'),
    );
  }

  const issues: OperationOutcomeIssue[] = [];
  checkStructure(json, issues);
  checkElements(json, issues);
  checkId(json, type, issues);
  if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw new FhirError(400, issues);
}

function checkId(json: Record<string, unknown>, type: string, issues: OperationOutcomeIssue[]): void {
  if (json.id === undefined) return;
  const path = `${type}.id`;
  // Medplum reports a non-string or empty id already; one issue per element is enough.
  if (issues.some((i) => i.expression?.[0] === path)) return;
  const id = json.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    const shown = typeof id === 'string' ? `'${id.length > 70 ? id.slice(0, 70) + '...' : id}'` : JSON.stringify(id);
    issues.push(issue('value', `${path}: ${shown} is not a valid id (1 to 64 of A-Z, a-z, 0-9, '-' and '.')`, path));
  }
}

/** Throws 404 not-supported unless `type` (from a URL such as /fhir/Patient) is a supported type. */
export function validateResourceType(type: string): void {
  if (!isSupportedResourceType(type)) {
    throw new FhirError(404, issue('not-supported', `Resource type '${type}' is not supported`));
  }
}
