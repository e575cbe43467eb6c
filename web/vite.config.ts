// `npm run build` (vite build web): the app into web/dist, which the server serves (src/web/web-plugin.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const server = `http://127.0.0.1:${process.env.PORT ?? 8080}`;

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Nothing inline: the server's Content-Security-Policy allows scripts from its own origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  // `npx vite web` for working on the app: the APIs from a running `npm start`.
  server: {
    proxy: Object.fromEntries(['/fhir', '/api', '/auth', '/app-config.json'].map((p) => [p, server])),
  },
});
