/**
 * Account administration (admin's full session):
 *   GET  users                      POST users {username, displayName, role, password, department?, ward?, practitioner?}
 *   POST users/:id/reset-password {password}    POST users/:id/disable    POST users/:id/enable
 *   POST users/:id/role {role}                  POST users/:id/reset-totp
 *   POST api-tokens {name, role, department?, ward?, expiresInDays?}: a bearer token for an API
 *        client acting in that role, shown once
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../fhir/outcome.js';
import { issueApiToken } from '../api-tokens.js';
import type { AccountsContext } from './accounts-context.js';
import { listAccounts, publicAccount } from './account-store.js';
import { changeRole, createAccount, resetPassword, resetTotp, setDisabled, type NewAccount } from './admin-operations.js';
import {
  objectBody, optionalId, optionalPractitioner, requiredRole, requiredString, requiredUsername, type Body,
} from './request-fields.js';
import { requireAdmin } from './route-session.js';

type ById = { Params: { id: string } };

export function adminRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.get('/users', async (request) => {
    await requireAdmin(ctx, request);
    return { accounts: (await listAccounts(ctx.db, ctx.hospitalId)).map(publicAccount) };
  });

  app.post('/users', async (request, reply) => {
    await requireAdmin(ctx, request);
    const account = await createAccount(ctx, newAccountFrom(objectBody(request.body), true));
    return reply.code(201).send(publicAccount(account));
  });

  app.post<ById>('/users/:id/reset-password', async (request) => {
    const admin = await requireAdmin(ctx, request);
    const password = requiredString(objectBody(request.body), 'password', 4096);
    return publicAccount(await resetPassword(ctx, admin.account.id, request.params.id, password));
  });

  app.post<ById>('/users/:id/disable', async (request) => {
    const admin = await requireAdmin(ctx, request);
    return publicAccount(await setDisabled(ctx, admin.account.id, request.params.id, true));
  });

  app.post<ById>('/users/:id/enable', async (request) => {
    const admin = await requireAdmin(ctx, request);
    return publicAccount(await setDisabled(ctx, admin.account.id, request.params.id, false));
  });

  app.post<ById>('/users/:id/role', async (request) => {
    const admin = await requireAdmin(ctx, request);
    const role = requiredRole(objectBody(request.body));
    return publicAccount(await changeRole(ctx, admin.account.id, request.params.id, role));
  });

  app.post('/api-tokens', async (request, reply) => {
    await requireAdmin(ctx, request);
    const body = objectBody(request.body);
    const name = requiredString(body, 'name', 63);
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) throw badRequest('name must be lower-case letters, digits and ._- (it is shown in the audit trail as token:<name>)', 'name');
    const role = requiredRole(body);
    const days = body.expiresInDays;
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650)) {
      throw badRequest('expiresInDays must be a whole number of days from 1 to 3650', 'expiresInDays');
    }
    const expiresAt = typeof days === 'number' ? new Date(ctx.config.now() + days * 86_400_000) : null;
    let token: string;
    try {
      token = await issueApiToken(ctx.db, ctx.hospitalId, { name, role, department: optionalId(body, 'department'), ward: optionalId(body, 'ward'), expiresAt });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw badRequest(`a live token named ${name} exists; revoke it or choose another name`, 'name');
      throw err;
    }
    return reply.code(201).send({ name, role, principal: `token:${name}`, expiresAt: expiresAt?.toISOString() ?? null, token });
  });

  app.post<ById>('/users/:id/reset-totp', async (request) => {
    const admin = await requireAdmin(ctx, request);
    return publicAccount(await resetTotp(ctx, admin.account.id, request.params.id));
  });
}

/** The fields of a new account, each checked (400 naming the field). `withRole` false: the role is fixed by the caller. */
export function newAccountFrom(body: Body, withRole: boolean): NewAccount {
  return {
    username: requiredUsername(body),
    displayName: requiredString(body, 'displayName', 200),
    role: withRole ? requiredRole(body) : 'admin',
    password: requiredString(body, 'password', 4096),
    department: optionalId(body, 'department'),
    ward: optionalId(body, 'ward'),
    practitioner: optionalPractitioner(body),
  };
}
