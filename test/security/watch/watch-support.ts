/** Shared by the access-watch tests: an AccessRecord builder and a real webhook receiver. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AccessRecord } from '../../../src/audit/access-record.js';

let requestSeq = 0;

/** A successful read by a doctor unless `overrides` say otherwise. */
export function access(overrides: Partial<AccessRecord> = {}): AccessRecord {
  requestSeq++;
  return {
    hospitalId: 'h1', time: '2025-03-01T09:00:00.000Z', principal: 'user:asha', role: 'doctor', action: 'R', interaction: 'read',
    resourceType: 'Patient', status: 200, outcome: '0', patients: [], purpose: 'TREAT', sourceIp: '10.0.0.7', userAgent: 'test',
    requestId: `req-${requestSeq}`, method: 'GET', path: '/fhir/R4/Patient', ...overrides,
  };
}

export interface Receiver {
  url: string;
  /** Bodies received, parsed. */
  bodies: unknown[];
  /** Resolves with the next body to arrive (or one already waiting). */
  next(): Promise<unknown>;
  close(): Promise<void>;
}

/** A webhook receiver on a real port; `respond` decides the answer (default 204; 'hang' never answers). */
export async function webhookReceiver(respond: (req: IncomingMessage) => number | 'hang' = () => 204): Promise<Receiver> {
  const bodies: unknown[] = [];
  let waiting: ((b: unknown) => void) | undefined;
  let taken = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const body = { method: req.method, contentType: req.headers['content-type'], json: JSON.parse(text) };
      bodies.push(body);
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        taken++;
        w(body);
      }
      const status = respond(req);
      if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/secret-path?key=s3cret`,
    bodies,
    next: () => (taken < bodies.length ? Promise.resolve(bodies[taken++]) : new Promise((r) => (waiting = r))),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
