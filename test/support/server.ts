/** A real Nirantar server on a random port over a throwaway database, and a small FHIR client for it. */
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { createTestDatabase } from './database.js';

export const TEST_TOKEN = 'test-bootstrap-token-0123456789';

export interface TestServer {
  server: RunningServer;
  base: string;
  databaseUrl: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const server = await startServer({ accountKey: randomBytes(32), ...options, port: 0, dataDir: '', databaseUrl: db.url, bootstrapToken: TEST_TOKEN });
  const base = `${server.url}/fhir/R4`;
  return {
    server, base, databaseUrl: db.url,
    async request(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}
