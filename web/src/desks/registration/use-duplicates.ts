/**
 * The duplicate search while the clerk types: 250 ms after the last keystroke, the latest query only.
 * A server without the search (404) shows nothing; any other trouble says the check is unavailable.
 */
import { useEffect, useState } from 'react';
import { call } from '../../api/http.js';
import { DUPLICATES_PATH } from './registration-form.js';

export interface DuplicateCandidate {
  id: string;
  uhid: string;
  name: string;
  sex?: string;
  birthDate?: string;
  phone?: string;
  score: number;
  grade: string;
  reasons: string[];
}

export interface Duplicates {
  candidates: DuplicateCandidate[];
  /** The query the candidates answer (null: nothing searched). */
  query: string | null;
  unavailable: boolean;
}

const NONE: Duplicates = { candidates: [], query: null, unavailable: false };

export function useDuplicates(query: string | null, delayMs = 250): Duplicates {
  const [found, setFound] = useState<Duplicates>(NONE);
  useEffect(() => {
    if (!query) {
      setFound(NONE);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const answer = await call<{ candidates?: DuplicateCandidate[] }>('GET', `${DUPLICATES_PATH}?${query}`, undefined, abort.signal);
        if (abort.signal.aborted) return;
        if (answer.status === 200) setFound({ candidates: answer.body?.candidates ?? [], query, unavailable: false });
        else setFound({ candidates: [], query, unavailable: answer.status !== 404 });
      } catch {
        if (!abort.signal.aborted) setFound({ candidates: [], query, unavailable: true });
      }
    }, delayMs);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [query, delayMs]);
  return found;
}
