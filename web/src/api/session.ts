/** The signed-in clerk, as /auth answers (src/security/accounts/route-session.ts). */
import { call, callOk } from './http.js';

export type SessionStage = 'full' | 'password-change' | 'totp-enrolment';

export interface SessionView {
  account: { id: string; username: string; displayName: string; role: string; department: string | null; ward: string | null };
  stage: SessionStage;
  expiresAt: string;
}

export interface AppConfig {
  hospital: { id: string; name: string } | null;
}

/** The live session, or null when signed out. */
export async function currentSession(): Promise<SessionView | null> {
  const answer = await call<SessionView>('GET', '/auth/me');
  if (answer.status === 401) return null;
  if (answer.status !== 200) throw new Error(`the server answered ${answer.status} to /auth/me`);
  return answer.body;
}

/**
 * Wrong username, password and one-time code all get the same refusal (the server never tells which
 * was wrong), so the form offers the code field from the start and asks for it after a refusal.
 */
export const signIn = (username: string, password: string, totp?: string) =>
  callOk<SessionView>('POST', '/auth/login', { username, password, ...(totp ? { totp } : {}) });

export const changePassword = (currentPassword: string, newPassword: string) =>
  callOk<SessionView>('POST', '/auth/password', { currentPassword, newPassword });

export async function signOut(): Promise<void> {
  await call('POST', '/auth/logout');
}

export async function appConfig(): Promise<AppConfig> {
  const answer = await call<AppConfig>('GET', '/app-config.json').catch(() => undefined);
  return answer?.status === 200 && answer.body ? answer.body : { hospital: null };
}
