/** The app: who is signed in decides the screen; a signed-in clerk gets the header, the outbox and a desk. */
import { useEffect, useMemo, useState } from 'react';
import { appConfig, currentSession, signOut, type AppConfig, type SessionView } from '../api/session.js';
import { openBrowserOutbox, type BrowserOutbox } from '../outbox/browser-outbox.js';
import { OutboxContext } from '../outbox/use-outbox.js';
import { AppHeader } from './app-header.js';
import { PasswordChange } from './password-change.js';
import { HospitalContext } from './hospital-context.js';
import { SessionContext } from './session-context.js';
import { SignIn } from './sign-in.js';
import { desksFor, usePath } from './router.js';

export function App() {
  const [config, setConfig] = useState<AppConfig>({ hospital: null });
  /** undefined while asking the server; null when signed out. */
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [outbox, setOutbox] = useState<BrowserOutbox | null>(null);
  const [path, navigate] = usePath();
  const hospitalName = config.hospital?.name ?? 'Nirantar';
  const signedIn = session?.stage === 'full' ? session : null;

  useEffect(() => {
    void appConfig().then(setConfig);
    currentSession().then(setSession, () => setSession(null));
  }, []);
  useEffect(() => {
    document.title = signedIn ? `${hospitalName} · Nirantar` : 'Nirantar';
  }, [hospitalName, signedIn]);

  // The outbox belongs to the signed-in user: opened at sign-in, closed (kept on disk) at sign-out.
  const user = signedIn?.account.username;
  const hospitalId = config.hospital?.id ?? 'hospital';
  useEffect(() => {
    if (!user) return;
    let opened: BrowserOutbox | undefined;
    let closed = false;
    void openBrowserOutbox(hospitalId, user).then((o) => {
      if (closed) return o.close();
      opened = o;
      setOutbox(o);
      // The server ended the session (idle timeout): sign in again; the queue waits on disk.
      o.sender.onState((state) => { if (state === 'signed-out') setSession(null); });
    });
    return () => {
      closed = true;
      opened?.close();
      setOutbox(null);
    };
  }, [hospitalId, user]);

  const role = signedIn?.account.role;
  const desks = useMemo(() => (role ? desksFor(role) : []), [role]);
  const desk = desks.find((d) => d.path === path);
  useEffect(() => {
    if (signedIn && !desk && desks[0]) navigate(desks[0].path);
  }, [signedIn, desk, desks, navigate]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = desks.find((d) => e.altKey && !e.ctrlKey && !e.metaKey && e.key.toLowerCase() === d.key);
      if (target) {
        e.preventDefault();
        navigate(target.path);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [desks, navigate]);

  async function leave(unsent: number) {
    if (unsent > 0 && !window.confirm(`${unsent} write(s) have not reached the server yet. They stay on this computer and are sent when you sign in again. Sign out?`)) return;
    await signOut().catch(() => undefined);
    setSession(null);
  }

  if (session === undefined) return <main className="loading" aria-busy="true">Loading…</main>;
  if (!session) return <SignIn hospital={hospitalName} onSignedIn={setSession} />;
  if (session.stage === 'password-change') return <PasswordChange onChanged={setSession} onSignOut={() => void leave(0)} />;
  if (session.stage === 'totp-enrolment') {
    return (
      <main className="sign-in"><div className="panel">
        <h1>Set up your authenticator first</h1>
        <p>Your role needs a one-time code at sign-in. Enrol an authenticator app with an administrator, then sign in again.</p>
        <button type="button" onClick={() => void leave(0)}>Sign out</button>
      </div></main>
    );
  }
  if (!outbox) return <main className="loading" aria-busy="true">Opening the outbox…</main>;
  return (
    <OutboxContext.Provider value={outbox}>
      <HospitalContext.Provider value={hospitalId}>
      <SessionContext.Provider value={session}>
      <AppHeader hospital={hospitalName} session={session} desks={desks} path={path} navigate={navigate} onSignOut={(n) => void leave(n)} />
      {desk ? <desk.Screen key={desk.path} />
        : <main className="desk"><p>There is no desk for the role {session.account.role} in this app yet.</p></main>}
      </SessionContext.Provider>
      </HospitalContext.Provider>
    </OutboxContext.Provider>
  );
}
