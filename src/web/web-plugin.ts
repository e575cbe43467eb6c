/**
 * Serves the browser app (web/, built by Vite into web/dist) on the server's own port:
 *   /assets/*   hashed file names, so cached for a year (immutable)
 *   /           index.html, never cached, so a new build reaches every desk at its next load
 *   /anything   without a file extension and outside the API prefixes: index.html too (the app's
 *               own router shows the desk); the API prefixes keep their OperationOutcome 404s
 *   /app-config.json  the hospital's id and name, for the sign-in screen and the header
 * Every answer from here carries a strict Content-Security-Policy: scripts and styles only from
 * this origin, none inline, no framing. Encapsulated (no fastify-plugin): its hooks and the
 * reply.sendFile decoration stay here; its not-found handler is the server's catch-all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { notFound } from '../fhir/outcome.js';
import { fhirErrorHandler } from '../fhir/rest/error-handler.js';

/** Where `npm run build` puts the app. */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths the app never answers for, whatever is (not) there: the APIs. */
export const API_PREFIXES = ['/fhir', '/api', '/auth', '/oauth', '/replication'] as const;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const LONG_CACHE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';

export interface WebOptions {
  /** The built app (default WEB_ROOT). */
  root?: string;
  /** Shown on the sign-in screen and in the header. */
  hospital?: { id: string; name: string };
}

export function isApiPath(url: string): boolean {
  const pathname = url.split('?')[0];
  return API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

export async function webPlugin(app: FastifyInstance, options: WebOptions): Promise<void> {
  const root = options.root ?? WEB_ROOT;
  app.addHook('onSend', async (request, reply) => {
    if (isApiPath(request.url)) return;
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
  });
  app.get('/app-config.json', async (_request, reply) => {
    reply.header('cache-control', NO_CACHE);
    return { hospital: options.hospital ?? null };
  });

  const built = existsSync(path.join(root, 'index.html'));
  if (!built) {
    app.log.warn(`the browser app is not built (no ${root}/index.html): run npm run build`);
  } else {
    await app.register(fastifyStatic, {
      root, wildcard: false, index: false, cacheControl: false, etag: true, lastModified: true,
      setHeaders: (res, file) => {
        res.setHeader('cache-control', path.relative(root, file).startsWith(`assets${path.sep}`) ? LONG_CACHE : NO_CACHE);
      },
    });
  }
  const sendApp = (reply: FastifyReply) => built
    ? reply.header('cache-control', NO_CACHE).sendFile('index.html')
    : reply.code(503).header('cache-control', NO_CACHE).type('text/plain; charset=utf-8')
      .send('The browser app is not built: run `npm run build` and restart.\n');
  app.get('/', (_request, reply) => sendApp(reply));

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0];
    const fileLike = path.posix.basename(pathname).includes('.');
    if ((request.method === 'GET' || request.method === 'HEAD') && !isApiPath(pathname) && !fileLike) return sendApp(reply);
    return fhirErrorHandler(notFound(`nothing at ${request.method} ${pathname}`), request, reply);
  });
}
