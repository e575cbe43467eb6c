/**
 * Who a request is from, however it authenticated (a browser session, an API token, a machine
 * client's access token, a vault's credential). The permission table decides on `role`, the ward
 * and department scopes on `ward`/`department`; the ledger and the audit trail record `principal`.
 */
import type { AccountRole } from './accounts/account-roles.js';

export type TokenScope = 'fhir' | 'replication';

/** An account role, or 'bootstrap': the setup token's full access until it is revoked. */
export type Role = AccountRole | 'bootstrap';

export interface Principal {
  hospitalId: string;
  /** As written in the ledger and the audit trail: 'user:asha', 'token:lab-gateway', 'bootstrap-admin', 'vault:dr-site'. */
  principal: string;
  scope: TokenScope;
  /** Null only for a replication credential, which opens the ledger feed and nothing else. */
  role: Role | null;
  kind: 'session' | 'token';
  /** The account, for a session. */
  userId?: string;
  /** The clinician the account acts as (Practitioner/id), when it has one. */
  practitioner?: string | null;
  department: string | null;
  ward: string | null;
}
