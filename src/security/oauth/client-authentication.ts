/**
 * Who the client says it is (RFC 6749 §2.3.1): HTTP Basic with the form-urlencoded client id and
 * secret (preferred), or client_id and client_secret in the body. Exactly one method per request.
 */
import { invalidClient, invalidRequest } from './oauth-errors.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

/** RFC 6749 Appendix B: the id and secret are form-urlencoded before they are Base64-encoded. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

export function clientCredentials(authorization: string | undefined, form: URLSearchParams): ClientCredentials {
  const inBody = form.has('client_id') || form.has('client_secret');
  if (authorization !== undefined) {
    if (inBody) throw invalidRequest('use one client authentication method: HTTP Basic or client_id/client_secret in the body, not both');
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!match) throw invalidClient();
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient();
    try {
      return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
    } catch {
      throw invalidClient(); // malformed percent-encoding
    }
  }
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (!clientId || !clientSecret) throw invalidClient();
  return { clientId, clientSecret, method: 'client_secret_post' };
}
