/** What the accounts routes share: finding the caller's session, and answering with a new one. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from './accounts-context.js';
import { publicAccount, type PublicAccount } from './account-store.js';
import { forbidden, notSignedIn } from './account-errors.js';
import type { SignedIn } from './login.js';
import { readSessionCookie, sessionSetCookie } from './session-cookie.js';
import { findActiveSession, type ActiveSession, type SessionStage } from './sessions.js';

const STAGE_HINT: Record<SessionStage, string> = {
  full: '',
  'password-change': 'change your password first (POST password)',
  'totp-enrolment': 'enrol a one-time code authenticator first (POST totp/enroll, then totp/confirm)',
};

/** The caller's live session, if it is at one of `stages`; 401 without one, 403 at another stage. */
export async function requireSession(ctx: AccountsContext, request: FastifyRequest, stages: SessionStage[] = ['full']): Promise<ActiveSession> {
  const session = await findActiveSession(ctx.db, readSessionCookie(request.headers.cookie, ctx.config), ctx.config);
  if (!session || session.account.hospital_id !== ctx.hospitalId) throw notSignedIn();
  if (!stages.includes(session.stage)) throw forbidden(STAGE_HINT[session.stage] || 'not allowed in this session');
  return session;
}

/** For now admin routes need an admin's full session; the permission table (issue 3) will take over. */
export async function requireAdmin(ctx: AccountsContext, request: FastifyRequest): Promise<ActiveSession> {
  const session = await requireSession(ctx, request);
  if (session.account.role !== 'admin') throw forbidden('only an admin may manage accounts');
  return session;
}

export function clientOf(request: FastifyRequest): { userAgent?: string; sourceIp?: string } {
  return { userAgent: request.headers['user-agent'], sourceIp: request.ip };
}

export interface SessionView {
  account: PublicAccount;
  /** 'full', or the step still to do before the session opens anything else. */
  stage: SessionStage;
  expiresAt: string;
}

export function sessionView(session: { account: ActiveSession['account']; stage: SessionStage; expiresAt: Date }): SessionView {
  return { account: publicAccount(session.account), stage: session.stage, expiresAt: session.expiresAt.toISOString() };
}

/** Sets the cookie of a new session and answers with who is signed in. */
export function replyWithSession(ctx: AccountsContext, reply: FastifyReply, signedIn: SignedIn): SessionView {
  reply.header('set-cookie', sessionSetCookie(signedIn.sessionId, ctx.config));
  return sessionView(signedIn);
}
