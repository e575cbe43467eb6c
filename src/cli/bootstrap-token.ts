/**
 * nirantar bootstrap-token --status | --revoke: the setup token has full access (role 'bootstrap')
 * until it is turned off. Once the first admin exists, revoke it.
 */
import { BOOTSTRAP_TOKEN_NAME } from '../security/api-tokens.js';
import type { Queryable } from '../store/database.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const bootstrapTokenCommand: Command = {
  name: 'bootstrap-token',
  summary: "say whether the bootstrap admin token is active, or revoke it",
  options: { ...STORE_OPTIONS, status: { type: 'boolean' }, revoke: { type: 'boolean' } },
  help: `Usage: nirantar bootstrap-token --status [--data DIR | --database-url URL] [--hospital ID]
       nirantar bootstrap-token --revoke ...

The bootstrap token (printed at the first start, or NIRANTAR_BOOTSTRAP_TOKEN) can do everything. It
exists to create the first admin account; after that, revoke it. A running server stops accepting
it within a few seconds (its token cache).

Options:
  --status             print whether the hospital's bootstrap token is active (exit 0 active, 1 not)
  --revoke             revoke it (exit 0; also when it was already revoked)
${STORE_HELP}`,
  run: (values) => {
    if (Boolean(values.status) === Boolean(values.revoke)) {
      console.error(`nirantar bootstrap-token: say --status or --revoke\n\n${bootstrapTokenCommand.help}`);
      return Promise.resolve(2);
    }
    return withCommandStore(values, async (store, { hospitalId }) => {
      if (values.revoke) {
        const revoked = await store.admin.query(
          'UPDATE api_token SET revoked_at = now() WHERE hospital_id = $1 AND name = $2 AND revoked_at IS NULL RETURNING 1',
          [hospitalId, BOOTSTRAP_TOKEN_NAME]);
        console.log(revoked.length > 0
          ? `Revoked the bootstrap token of hospital ${hospitalId}: it no longer opens anything.`
          : `The bootstrap token of hospital ${hospitalId} was not active; nothing to revoke.`);
        return 0;
      }
      const status = await bootstrapTokenStatus(store.admin, hospitalId);
      console.log(status.active
        ? `The bootstrap token of hospital ${hospitalId} is ACTIVE (full access); revoke it once the first admin exists.`
        : status.revokedAt
          ? `The bootstrap token of hospital ${hospitalId} is revoked (since ${status.revokedAt.toISOString()}).`
          : `Hospital ${hospitalId} has no bootstrap token.`);
      return status.active ? 0 : 1;
    });
  },
};

export async function bootstrapTokenStatus(db: Queryable, hospitalId: string): Promise<{ active: boolean; revokedAt: Date | null }> {
  const [row] = await db.query<{ active: boolean; revoked_at: Date | null }>(
    `SELECT bool_or(revoked_at IS NULL) AS active, max(revoked_at) AS revoked_at FROM api_token WHERE hospital_id = $1 AND name = $2`,
    [hospitalId, BOOTSTRAP_TOKEN_NAME]);
  return { active: row?.active ?? false, revokedAt: row?.revoked_at ?? null };
}
