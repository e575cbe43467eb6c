/**
 * The public test data lives beside the checkout, in ../shared/data (not in the repository: its
 * licences differ). A missing folder fails the test with a clear message instead of skipping it, so a
 * CI run without the data cannot pass silently.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = new URL('../../../', import.meta.url);
export const SHARED_DATA = fileURLToPath(new URL('../shared/data/', repoRoot));

export function sharedDataFiles(folder: 'hl7v2' | 'astm', extension: string): { name: string; bytes: Buffer }[] {
  const dir = SHARED_DATA + folder;
  if (!existsSync(dir)) {
    throw new Error(`shared test data not found at ${dir}: the interoperability tests read ../shared/data beside the checkout (see shared/data/README.md)`);
  }
  const names = readdirSync(dir).filter((n) => n.endsWith(extension)).sort();
  if (names.length === 0) throw new Error(`no *${extension} files in ${dir}`);
  return names.map((name) => ({ name, bytes: readFileSync(`${dir}/${name}`) }));
}
