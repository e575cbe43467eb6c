/** The refusals of the accounts routes, as FHIR OperationOutcome errors (see src/fhir/outcome.ts). */
import { FhirError, issue } from '../../fhir/outcome.js';

/**
 * One message for every failed sign-in: unknown user, wrong password, wrong or missing one-time
 * code, disabled account. Telling them apart would tell an attacker which usernames exist.
 */
export const SIGN_IN_REFUSED = 'the username, password or one-time code is not correct';

export const signInRefused = () => new FhirError(401, issue('login', SIGN_IN_REFUSED));
export const notSignedIn = () => new FhirError(401, issue('login', 'not signed in, or the session has ended: sign in again'));
export const forbidden = (text: string) => new FhirError(403, issue('forbidden', text));

/** 429 with Retry-After: the accounts plugin's error handler sets the header. */
export class TooManyAttempts extends FhirError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, issue('throttled', `too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`));
  }
}
