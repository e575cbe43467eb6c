// `npm start` runs this first: builds the browser app when web/dist is missing (an install made with
// --ignore-scripts skipped the `prepare` build). A build that exists is left alone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
if (!existsSync(new URL('./dist/index.html', import.meta.url))) {
  console.log('building the browser app (web/dist is missing)…');
  const { build } = await import('vite');
  await build({ root, logLevel: 'warn' });
}
