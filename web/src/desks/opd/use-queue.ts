/**
 * The live queue of a department: Server-Sent Events from GET /api/opd/queue/events (the server
 * sends the whole day's queue on every change); when the stream drops, GET /api/opd/queue every
 * 5 seconds until the stream is open again (EventSource reconnects by itself; we also reopen it).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { call } from '../../api/http.js';
import { outcomeText } from '../../api/operation-outcome.js';
import { OPD, type QueueAnswer, type QueueItem } from './opd.js';

export const POLL_MS = 5_000;

export interface LiveQueue {
  queue: QueueItem[];
  date?: string;
  /** 'live' over the stream, 'polling' while it is down, 'connecting' at first. */
  mode: 'connecting' | 'live' | 'polling';
  error?: string;
  updatedAt?: number;
  /** Read it again now (after a write of our own). */
  refresh: () => void;
}

export function useLiveQueue(department: string | undefined): LiveQueue {
  const [answer, setAnswer] = useState<QueueAnswer>();
  const [mode, setMode] = useState<LiveQueue['mode']>('connecting');
  const [error, setError] = useState<string>();
  const [updatedAt, setUpdatedAt] = useState<number>();
  const current = useRef(department);
  current.current = department;

  const poll = useCallback(async () => {
    if (!department) return;
    try {
      const got = await call<QueueAnswer>('GET', `${OPD}/queue?department=${encodeURIComponent(department)}`);
      if (current.current !== department) return;
      if (got.status === 200) {
        setAnswer(got.body);
        setError(undefined);
        setUpdatedAt(Date.now());
      } else setError(outcomeText(got.body, got.status));
    } catch (err) {
      if (current.current === department) setError(`the server could not be reached (${err instanceof Error ? err.message : String(err)})`);
    }
  }, [department]);

  useEffect(() => {
    setAnswer(undefined);
    setError(undefined);
    setMode('connecting');
    if (!department) return;
    let closed = false;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const startPolling = () => {
      if (timer || closed) return;
      setMode('polling');
      void poll();
      timer = setInterval(() => void poll(), POLL_MS);
    };
    const stopPolling = () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    };
    const open = () => {
      if (closed) return;
      source = new EventSource(`${OPD}/queue/events?department=${encodeURIComponent(department)}`, { withCredentials: true });
      source.addEventListener('queue', (event) => {
        try {
          setAnswer(JSON.parse((event as MessageEvent<string>).data) as QueueAnswer);
          setUpdatedAt(Date.now());
          setError(undefined);
          setMode('live');
          stopPolling();
        } catch {
          /* a damaged message: the next one will do */
        }
      });
      source.onerror = () => {
        startPolling();
        // Closed for good (a 4xx, or the server went away): open it again a little later.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          reopen = setTimeout(open, POLL_MS * 2);
        }
      };
    };
    open();
    return () => {
      closed = true;
      source?.close();
      stopPolling();
      if (reopen) clearTimeout(reopen);
    };
  }, [department, poll]);

  return { queue: answer?.queue ?? [], date: answer?.date, mode, error, updatedAt, refresh: () => void poll() };
}
