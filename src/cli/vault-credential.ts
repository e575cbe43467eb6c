/** nirantar vault-credential: issue the read-only credential a vault pulls the ledger with. */
import { issueVaultCredential } from '../security/api-tokens.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const vaultCredentialCommand: Command = {
  name: 'vault-credential',
  summary: 'issue a read-only ledger credential for a vault',
  options: { ...STORE_OPTIONS, name: { type: 'string' } },
  help: `Usage: nirantar vault-credential [--name NAME] [--data DIR | --database-url URL] [--hospital ID]

Issues a credential (shown once) with which a vault pulls this hospital's ledger from
/replication/R1. It can read the ledger and report what the vault made durable; it cannot read or
change anything through the FHIR API. Give it to the vault as NIRANTAR_VAULT_CREDENTIAL.

Options:
  --name NAME          a name for the vault (default "vault")
${STORE_HELP}`,
  run: (values) =>
    withCommandStore(values, async (store, settings) => {
      const name = (values.name as string | undefined) ?? 'vault';
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error('--name must be 1-64 letters, digits and ._-');
      const token = await issueVaultCredential(store.admin, settings.hospitalId, name);
      console.log(`Vault credential for hospital ${settings.hospitalId} (vault "${name}"), shown once:`);
      console.log(token);
      return 0;
    }),
};
