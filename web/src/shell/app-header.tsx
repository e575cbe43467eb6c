/** The bar over every desk: hospital, desks, who is signed in, the outbox, sign out. */
import { useOutboxView } from '../outbox/use-outbox.js';
import type { SenderState } from '../outbox/outbox-sender.js';
import type { SessionView } from '../api/session.js';
import type { Desk } from './router.js';
import { deskId } from '../desks/registration/browser-uhid-blocks.js';

const SENDER_TEXT: Record<SenderState, string> = {
  idle: '', sending: 'sending…', waiting: 'server unreachable, retrying', offline: 'offline',
  blocked: 'a write was refused', 'signed-out': 'sign in again to send',
};

export function AppHeader({ hospital, session, desks, path, navigate, onSignOut }: {
  hospital: string; session: SessionView; desks: Desk[]; path: string; navigate: (path: string) => void; onSignOut: (unsent: number) => void;
}) {
  const { unsent, failed, state } = useOutboxView();
  return (
    <header className="app-header">
      <span className="hospital">{hospital}</span>
      <nav aria-label="Desks">
        {desks.map((desk) => (
          <a key={desk.path} href={desk.path} aria-current={path === desk.path ? 'page' : undefined} aria-keyshortcuts={`Alt+${desk.key}`}
            onClick={(e) => { e.preventDefault(); navigate(desk.path); }}>{desk.title}</a>
        ))}
      </nav>
      <span className={`outbox${failed ? ' attention' : unsent ? ' busy' : ''}`} data-testid="outbox" role="status"
        title="Writes waiting to reach the server">
        Outbox: <strong data-testid="outbox-pending">{unsent}</strong> pending
        {failed > 0 && <> · {failed} refused</>}
        {SENDER_TEXT[state] && unsent > 0 && <span className="muted"> · {SENDER_TEXT[state]}</span>}
      </span>
      <span className="muted desk-id" data-testid="desk-id" title="This computer's desk id: the UHID blocks it holds are issued to it">{deskId()}</span>
      <span className="user" data-testid="user">{session.account.displayName} <span className="muted">({session.account.role})</span></span>
      <button type="button" className="link" onClick={() => onSignOut(unsent)}>Sign out</button>
    </header>
  );
}
