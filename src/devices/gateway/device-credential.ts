/**
 * The gateway's own credential for the server, and nothing more (DESIGN.md, segmentation): either an
 * API token with role device, or an OAuth 2.0 client (client credentials grant) whose short-lived
 * access tokens are fetched from /oauth/token and renewed before they expire or when refused. The
 * secret and the tokens are never logged or put in an error message.
 */
export interface DeviceCredential {
  /** The Authorization header value for the next request. */
  authorization(): Promise<string>;
  /** The server said 401: forget the access token so the next request gets a fresh one. */
  refused(): void;
}

export function staticToken(token: string): DeviceCredential {
  if (!token.trim()) throw new Error('the device token is empty');
  return { authorization: async () => `Bearer ${token}`, refused: () => {} };
}

export interface ClientCredentialsOptions {
  /** Server base URL, e.g. http://lis.local:8080 */
  readonly server: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64. */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

export function clientCredentials(options: ClientCredentialsOptions): DeviceCredential {
  const now = options.now ?? Date.now;
  const basic = Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64');
  let current: { header: string; renewAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const res = await fetch(new URL('/oauth/token', options.server), {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const body = await res.json().catch(() => ({})) as { access_token?: string; expires_in?: number; error?: string };
    if (!res.ok || typeof body.access_token !== 'string') {
      // The OAuth error code (invalid_client …) says what is wrong without saying anything secret.
      throw new Error(`the token endpoint refused client ${options.clientId}: HTTP ${res.status} ${body.error ?? ''}`.trim());
    }
    const lifetimeMs = (Number(body.expires_in) || 3600) * 1000;
    // Renew with a tenth of the lifetime (at most a minute) to spare, so a request never carries a token that expires on the way.
    current = { header: `Bearer ${body.access_token}`, renewAt: now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return current.header;
  }

  return {
    async authorization() {
      if (current && now() < current.renewAt) return current.header;
      fetching ??= fetchToken().finally(() => { fetching = undefined; });
      return fetching;
    },
    refused() {
      current = undefined;
    },
  };
}
