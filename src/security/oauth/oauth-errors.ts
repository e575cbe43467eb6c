/** The token endpoint's refusals, as RFC 6749 §5.2 error responses ({error, error_description}). */

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

export class OAuthError extends Error {
  constructor(readonly status: number, readonly error: OAuthErrorCode, readonly description: string, readonly retryAfterSeconds?: number) {
    super(description);
  }

  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);

/**
 * One answer for an unknown client, a wrong secret and a disabled client: telling them apart would
 * tell an attacker which client ids exist. (The operator sees which in the server's audit trail.)
 */
export const invalidClient = () => new OAuthError(401, 'invalid_client', 'client authentication failed');

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new OAuthError(429, 'invalid_client', `too many failed client authentications; try again in ${retryAfterSeconds} seconds`, retryAfterSeconds);
