/**
 * The first admin of a hospital, created with the bootstrap token (the bearer token printed at the
 * first start). Only while the hospital has no enabled admin: after that the token can no longer
 * create accounts, whoever holds it, and can be revoked.
 */
import { FhirError, issue } from '../../fhir/outcome.js';
import type { AccountsContext } from './accounts-context.js';
import type { AccountRow } from './account-store.js';
import { createAccount, type NewAccount } from './admin-operations.js';

export async function createFirstAdmin(ctx: AccountsContext, input: Omit<NewAccount, 'role'>): Promise<AccountRow> {
  return ctx.db.transaction(async (tx) => {
    // Serializes two bootstrap calls racing each other (a bigint key: apart from src/store/advisory-locks.ts's two-int keys).
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`nirantar:first-admin:${ctx.hospitalId}`]);
    const admins = await tx.query(
      "SELECT 1 FROM user_account WHERE hospital_id = $1 AND role = 'admin' AND disabled_at IS NULL LIMIT 1", [ctx.hospitalId]);
    if (admins.length > 0) throw new FhirError(409, issue('conflict', 'this hospital already has an admin; the bootstrap token no longer creates accounts'));
    return createAccount(ctx, { ...input, role: 'admin' }, tx);
  });
}
