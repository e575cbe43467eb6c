/**
 * The queue board for a wall screen: a department (and room), its day's tokens live over Server-Sent
 * Events (polling every 5 s while the stream is down), each with the patient, the state and the
 * waiting minutes; called patients large at the top. Reads only: nothing to queue in the outbox.
 */
import { useEffect, useState } from 'react';
import { departmentKeyOf, minutesText, STATE_TEXT, type QueueItem } from '../opd/opd.js';
import { useDepartments, useRoomNames } from '../opd/use-read.js';
import { useLiveQueue } from '../opd/use-queue.js';
import { useSession } from '../../shell/session-context.js';

const ORDER: Record<string, number> = { called: 0, 'in-consultation': 1, waiting: 2, done: 3, cancelled: 4 };

export function QueueBoard() {
  const session = useSession();
  const departments = useDepartments();
  const own = departmentKeyOf(session?.account.department);
  const [department, setDepartment] = useState(() => new URLSearchParams(location.search).get('department') ?? own);
  const [room, setRoom] = useState(() => new URLSearchParams(location.search).get('room') ?? '');
  const live = useLiveQueue(department || undefined);
  const roomNames = useRoomNames();
  const roomName = (id: string | undefined) => (id ? roomNames.get(id) ?? id : '');
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);

  const rooms = [...new Set(live.queue.map((q) => q.room).filter((r): r is string => !!r))].sort();
  const shown = live.queue.filter((q) => q.state !== 'cancelled' && (!room || q.room === room || q.state === 'waiting'))
    .sort((a, b) => (ORDER[a.state] - ORDER[b.state]) || a.token - b.token);
  const called = shown.filter((q) => q.state === 'called');
  const name = departments.data?.find((d) => d.key === department)?.name ?? department;

  return (
    <main className="queue-board" aria-label="Queue board">
      <div className="board-controls">
        <h1 id="queue-title">Queue · {name || 'choose a department'}</h1>
        <label>Department{' '}
          <select name="department" value={department} onChange={(e) => { setDepartment(e.target.value); setRoom(''); }}>
            <option value="">—</option>
            {departments.data?.map((d) => <option key={d.key} value={d.key}>{d.name}</option>)}
          </select>
        </label>
        <label>Room{' '}
          <select name="room" value={room} onChange={(e) => setRoom(e.target.value)}>
            <option value="">All rooms</option>
            {rooms.map((r) => <option key={r} value={r}>{roomName(r)}</option>)}
          </select>
        </label>
        <span className={`live ${live.mode}`} data-testid="queue-mode" title="How the board gets its updates">
          {live.mode === 'live' ? '● live' : live.mode === 'polling' ? 'reconnecting · checking every 5 s' : 'connecting…'}
        </span>
      </div>
      {live.error && <p className="refused" role="alert">{live.error}</p>}
      {called.length > 0 && (
        <section className="now-calling" aria-label="Now calling" aria-live="polite">
          {called.map((q) => <div key={q.visit} className="calling"><span className="token-big">{q.token}</span> <span>{q.patient.display ?? ''}</span> <span className="muted">→ {roomName(q.room)}</span></div>)}
        </section>
      )}
      {department && (
        <table className="board" data-testid="queue-board">
          <thead><tr><th>Token</th><th>Patient</th><th>State</th><th>Room</th><th>Waiting</th></tr></thead>
          <tbody>
            {shown.length === 0 && <tr><td colSpan={5} className="muted">Nobody in the queue yet today.</td></tr>}
            {shown.map((q) => <Row key={q.visit} item={q} room={roomName(q.room)} />)}
          </tbody>
        </table>
      )}
    </main>
  );
}

function Row({ item, room }: { item: QueueItem; room: string }) {
  const waiting = item.state === 'waiting' || item.state === 'called'
    ? Math.max(item.waitingMinutes, (Date.now() - Date.parse(item.arrivedAt)) / 60_000)
    : item.waitingMinutes;
  return (
    <tr className={`state-${item.state}`} data-token={item.token}>
      <td className="token">{item.token}</td>
      <td>{item.patient.display ?? item.patient.reference}</td>
      <td><span className={`state ${item.state}`}>{STATE_TEXT[item.state]}</span></td>
      <td>{room}</td>
      <td>{minutesText(waiting)}</td>
    </tr>
  );
}
