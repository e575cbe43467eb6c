/** The accounts module's public face: what the server wires in and what other modules may use. */
export { accountsPlugin, type AccountsPluginOptions } from './accounts-plugin.js';
export { authenticateSession, type SessionPrincipal } from './sessions.js';
export { readSessionCookie, sessionCookieName } from './session-cookie.js';
export { DEFAULT_ACCOUNTS_CONFIG, accountsConfig, type AccountsConfig } from './accounts-config.js';
export { loadAccountSecretKey } from './secret-key.js';
export { ACCOUNT_ROLES, TOTP_REQUIRED_ROLES, isAccountRole, type AccountRole } from './account-roles.js';
