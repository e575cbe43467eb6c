/**
 * The session cookie. HttpOnly: page scripts (and so an injected script) cannot read it.
 * SameSite=Strict: no other site can make the browser send it, which is the CSRF defence for these
 * cookie-authenticated POSTs. No Max-Age: it dies with the browser, which matters on shared desk
 * computers; the server enforces the real lifetime. With `secureCookie` it is Secure and named with
 * the __Host- prefix, which browsers accept only over HTTPS, for Path=/ and without Domain, so a
 * sibling subdomain cannot plant or shadow it.
 */
import type { AccountsConfig } from './accounts-config.js';

type CookieConfig = Pick<AccountsConfig, 'secureCookie'>;

export function sessionCookieName(config: CookieConfig): string {
  return config.secureCookie ? '__Host-nirantar_session' : 'nirantar_session';
}

/** The session id from a Cookie header, or undefined. */
export function readSessionCookie(cookieHeader: string | undefined, config: CookieConfig): string | undefined {
  if (!cookieHeader) return undefined;
  const name = sessionCookieName(config);
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionSetCookie(sessionId: string, config: CookieConfig): string {
  return `${sessionCookieName(config)}=${sessionId}; ${attributes(config)}`;
}

export function sessionClearCookie(config: CookieConfig): string {
  return `${sessionCookieName(config)}=; Max-Age=0; ${attributes(config)}`;
}

function attributes(config: CookieConfig): string {
  return `Path=/; HttpOnly; SameSite=Strict${config.secureCookie ? '; Secure' : ''}`;
}
