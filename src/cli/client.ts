/** nirantar client add|list|disable: machine clients of the OAuth 2.0 client credentials grant. */
import { ACCOUNT_ROLES, isAccountRole } from '../security/accounts/account-roles.js';
import { addClient, disableClient, listClients } from '../security/oauth/oauth-clients.js';
import type { TokenScope } from '../security/principal.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const clientCommand: Command = {
  name: 'client',
  summary: 'add, list or disable OAuth2 machine clients (device gateway, vault, integrations)',
  options: { ...STORE_OPTIONS, name: { type: 'string' }, role: { type: 'string' }, scope: { type: 'string' }, id: { type: 'string' } },
  positionals: true,
  help: `Usage: nirantar client add --name NAME --role ROLE [--scope fhir] [--data DIR | --database-url URL] [--hospital ID]
       nirantar client add --name NAME --scope replication ...
       nirantar client list ...
       nirantar client disable --id CLIENT_ID ...

Machine clients get short-lived access tokens with the OAuth 2.0 client credentials grant:

  curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials http://HOST:8080/oauth/token

and call the API with "Authorization: Bearer <access_token>" until it expires (1 hour).

  add       creates a client and prints its client_id and client_secret (the secret is shown once;
            only its hash is kept)
  list      the hospital's clients, their role, scope and whether disabled
  disable   refuses the client's next token request and revokes the access tokens it holds

Options:
  --name NAME          what the client is, e.g. "Lab analyzer gateway" (1-100 characters)
  --role ROLE          its role in the permission table: ${ACCOUNT_ROLES.join(', ')}
  --scope SCOPE        fhir (the FHIR API, default) or replication (pull the ledger, as a vault; no role)
  --id CLIENT_ID       the client to disable
${STORE_HELP}`,
  run: (values, positionals = []) => {
    const [action, ...extra] = positionals;
    if (!['add', 'list', 'disable'].includes(action ?? '') || extra.length > 0) {
      console.error(`nirantar client: say add, list or disable\n\n${clientCommand.help}`);
      return Promise.resolve(2);
    }
    if (action === 'add') return add(values);
    if (action === 'disable') {
      const id = values.id as string | undefined;
      if (!id) throw new Error('client disable needs --id CLIENT_ID');
      return withCommandStore(values, async (store, { hospitalId }) => {
        const revoked = await disableClient(store.admin, hospitalId, id);
        if (revoked === undefined) {
          console.error(`nirantar client: no client "${id}" in hospital ${hospitalId}`);
          return 1;
        }
        console.log(`Disabled client ${id} (hospital ${hospitalId}); revoked ${revoked} access token(s) it held`);
        return 0;
      });
    }
    return withCommandStore(values, async (store, { hospitalId }) => {
      const clients = await listClients(store.admin, hospitalId);
      for (const c of clients) {
        const state = c.disabledAt ? `disabled ${c.disabledAt.toISOString()}` : 'active';
        console.log(`${c.clientId}\t${c.scope}\t${c.role ?? '-'}\t${state}\t${c.name}`);
      }
      console.log(`${clients.length} client(s) in hospital ${hospitalId}`);
      return 0;
    });
  },
};

async function add(values: Record<string, string | boolean | undefined>): Promise<number> {
  const name = (values.name as string | undefined)?.trim();
  if (!name || name.length > 100) throw new Error('client add needs --name NAME (1-100 characters)');
  const scope = ((values.scope as string | undefined) ?? 'fhir') as TokenScope;
  if (scope !== 'fhir' && scope !== 'replication') throw new Error('--scope must be fhir or replication');
  const role = values.role as string | undefined;
  if (scope === 'replication' && role !== undefined) throw new Error('a replication client pulls the ledger and has no role: leave out --role');
  if (scope === 'fhir' && !isAccountRole(role)) throw new Error(`client add needs --role, one of: ${ACCOUNT_ROLES.join(', ')}`);
  return withCommandStore(values, async (store, { hospitalId }) => {
    const { clientId, clientSecret } = await addClient(store.admin, { hospitalId, name, role: scope === 'fhir' ? (role as never) : null, scope });
    console.log(`Client "${name}" for hospital ${hospitalId} (scope ${scope}${scope === 'fhir' ? `, role ${role}` : ''}).`);
    console.log('The secret is shown once; only its hash is kept:');
    console.log(`client_id=${clientId}`);
    console.log(`client_secret=${clientSecret}`);
    return 0;
  });
}
