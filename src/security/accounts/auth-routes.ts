/**
 * The routes of one's own session:
 *   POST login {username, password, totp?}   POST logout   GET me
 *   POST password {currentPassword, newPassword}
 *   POST totp/enroll   POST totp/confirm {code}
 */
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from './accounts-context.js';
import { signIn } from './login.js';
import { changeOwnPassword } from './password-change.js';
import { objectBody, optionalString, requiredString } from './request-fields.js';
import { clientOf, replyWithSession, requireSession, sessionView } from './route-session.js';
import { readSessionCookie, sessionClearCookie } from './session-cookie.js';
import { findActiveSession, revokeSession, sessionHash } from './sessions.js';
import { beginTotpEnrolment, confirmTotpEnrolment } from './totp-enrolment.js';

export function authRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.post('/login', async (request, reply) => {
    const body = objectBody(request.body);
    const username = requiredString(body, 'username', 64);
    // Long enough that an over-long password is refused as a wrong one (login.ts), not as bad input.
    const password = requiredString(body, 'password', 4096);
    const totp = optionalString(body, 'totp', 16)?.replace(/\s/g, '');
    const previous = readSessionCookie(request.headers.cookie, ctx.config);
    const signedIn = await signIn(ctx, {
      username, password, totp: totp || undefined, ...clientOf(request), previousSessionHash: previous ? sessionHash(previous) : undefined,
    });
    return replyWithSession(ctx, reply, signedIn);
  });

  app.post('/logout', async (request, reply) => {
    const session = await findActiveSession(ctx.db, readSessionCookie(request.headers.cookie, ctx.config), ctx.config);
    if (session) await revokeSession(ctx.db, session.sessionHash, ctx.config.now());
    reply.header('set-cookie', sessionClearCookie(ctx.config));
    return reply.code(204).send();
  });

  app.get('/me', async (request) => sessionView(await requireSession(ctx, request, ['full', 'password-change', 'totp-enrolment'])));

  app.post('/password', async (request, reply) => {
    const session = await requireSession(ctx, request, ['full', 'password-change']);
    const body = objectBody(request.body);
    const currentPassword = requiredString(body, 'currentPassword', 4096);
    const newPassword = requiredString(body, 'newPassword', 4096);
    return replyWithSession(ctx, reply, await changeOwnPassword(ctx, session, { currentPassword, newPassword, ...clientOf(request) }));
  });

  app.post('/totp/enroll', async (request) => {
    const session = await requireSession(ctx, request, ['full', 'totp-enrolment']);
    return beginTotpEnrolment(ctx, session);
  });

  app.post('/totp/confirm', async (request, reply) => {
    const session = await requireSession(ctx, request, ['full', 'totp-enrolment']);
    const code = requiredString(objectBody(request.body), 'code', 16).replace(/\s/g, '');
    const upgraded = await confirmTotpEnrolment(ctx, session, { code, ...clientOf(request) });
    return upgraded ? replyWithSession(ctx, reply, upgraded) : sessionView(await requireSession(ctx, request));
  });
}
