/**
 * Reading request bodies: each field checked for presence, type and size, and a refusal names the
 * field (OperationOutcome.issue.expression), so the desk's form can point at it.
 */
import { badRequest } from '../../fhir/outcome.js';
import { isAccountRole, type AccountRole } from './account-roles.js';
import { USERNAME_PATTERN, normalizeUsername } from './account-store.js';

export type Body = Record<string, unknown>;

export function objectBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  return body as Body;
}

export function requiredString(body: Body, field: string, maxLength = 1024): string {
  const value = optionalString(body, field, maxLength);
  if (value === undefined || value === '') throw badRequest(`${field} is required`, field);
  return value;
}

export function optionalString(body: Body, field: string, maxLength = 1024): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`, field);
  if (value.length > maxLength) throw badRequest(`${field} must be at most ${maxLength} characters`, field);
  return value;
}

export function requiredRole(body: Body, field = 'role'): AccountRole {
  const value = body[field];
  if (!isAccountRole(value)) throw badRequest(`${field} must be one of the account roles (e.g. doctor, nurse, admin)`, field);
  return value;
}

export function requiredUsername(body: Body, field = 'username'): string {
  const username = normalizeUsername(requiredString(body, field, 64));
  if (!USERNAME_PATTERN.test(username)) {
    throw badRequest(`${field} must be 2-63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit`, field);
  }
  return username;
}

/** A short identifier (ward, department): the same shape as a FHIR id. */
export function optionalId(body: Body, field: string): string | undefined {
  const value = optionalString(body, field, 64);
  if (value !== undefined && !/^[A-Za-z0-9.-]{1,64}$/.test(value)) throw badRequest(`${field} must be a FHIR id (letters, digits, '-', '.')`, field);
  return value;
}

export function optionalPractitioner(body: Body, field = 'practitioner'): string | undefined {
  const value = optionalString(body, field, 100);
  if (value !== undefined && !/^Practitioner\/[A-Za-z0-9.-]{1,64}$/.test(value)) throw badRequest(`${field} must look like Practitioner/<id>`, field);
  return value;
}
