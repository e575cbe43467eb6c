/** What every accounts operation works with: the database, the hospital, the TOTP key and the tunables. */
import type { Database } from '../../store/database.js';
import { accountsConfig, type AccountsConfig } from './accounts-config.js';
import { UnknownUsernameThrottle } from './lockout.js';
import { ACCOUNT_KEY_BYTES } from './secret-key.js';

export interface AccountsContext {
  db: Database;
  hospitalId: string;
  /** Seals TOTP secrets (secret-box.ts); 32 bytes, kept outside the database. */
  secretKey: Buffer;
  config: AccountsConfig;
  unknownUsernames: UnknownUsernameThrottle;
}

export interface AccountsOptions {
  db: Database;
  hospitalId: string;
  secretKey: Buffer;
  config?: Partial<AccountsConfig>;
}

export function createAccountsContext(options: AccountsOptions): AccountsContext {
  if (options.secretKey.length !== ACCOUNT_KEY_BYTES) throw new Error(`the accounts secret key must be ${ACCOUNT_KEY_BYTES} bytes`);
  const config = accountsConfig(options.config);
  return { db: options.db, hospitalId: options.hospitalId, secretKey: options.secretKey, config, unknownUsernames: new UnknownUsernameThrottle(config) };
}
