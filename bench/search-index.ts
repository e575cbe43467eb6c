/**
 * npx tsx bench/search-index.ts — what computing the search-index rows of a resource costs: every
 * write, rebuild and restore does it for each version. The compiled paths (src/fhir/search/compiled-path.ts)
 * against @medplum/core's FHIRPath engine (the baseline), in the same run on the same resources:
 * the Synthea records of ../shared/data (if present) and the official R4 examples.
 *
 * Env: BENCH_FILES (Synthea files, 60), BENCH_ROUNDS (3; each round times both evaluators, the best
 * round of each counts). Figures only; nothing passes or fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { COMPILED_VALUES, ENGINE_VALUES, searchIndexRows, type Resource, type ValuesOf } from '../src/fhir/search/index-rows.js';
import { isSupportedResourceType } from '../src/fhir/resource-types.js';

const FILES = Number(process.env.BENCH_FILES ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SYNTHEA = path.resolve(import.meta.dirname, '../../shared/data/synthea');

function synthea(): Resource[] {
  if (!existsSync(SYNTHEA)) return [];
  return readdirSync(SYNTHEA).filter((f) => f.endsWith('.json')).sort().slice(0, FILES)
    .flatMap((f) => ((JSON.parse(readFileSync(path.join(SYNTHEA, f), 'utf8')) as { entry?: Array<{ resource: Resource }> }).entry ?? []).map((e) => e.resource));
}

function examples(): Resource[] {
  const dir = path.dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
  return readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Resource)
    .filter((r) => isSupportedResourceType(r.resourceType) && r.resourceType !== 'Bundle');
}

/** Resources per second and rows made, over `resources` once. */
function time(resources: Resource[], valuesOf: ValuesOf): { perSecond: number; rows: number } {
  let rows = 0;
  const started = performance.now();
  for (const r of resources) rows += searchIndexRows(r, valuesOf).length;
  return { perSecond: resources.length / ((performance.now() - started) / 1000), rows };
}

console.log(`# search-index rows: compiled paths vs the FHIRPath engine, best of ${ROUNDS} rounds`);
for (const [name, resources] of [['Synthea records', synthea()], ['official R4 examples', examples()]] as const) {
  if (resources.length === 0) continue;
  // Warm both (JIT, parsed expressions, element lookups) before timing.
  for (const r of resources.slice(0, 2000)) {
    searchIndexRows(r, ENGINE_VALUES);
    searchIndexRows(r, COMPILED_VALUES);
  }
  let engine = { perSecond: 0, rows: 0 };
  let compiled = { perSecond: 0, rows: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const e = time(resources, ENGINE_VALUES);
    const c = time(resources, COMPILED_VALUES);
    if (e.perSecond > engine.perSecond) engine = e;
    if (c.perSecond > compiled.perSecond) compiled = c;
  }
  console.log(`${name.padEnd(22)} ${String(resources.length).padStart(6)} resources   engine ${engine.perSecond.toFixed(0).padStart(6)}/s (${(1e6 / engine.perSecond).toFixed(1)} µs each, ${engine.rows} rows)` +
    `   compiled ${compiled.perSecond.toFixed(0).padStart(6)}/s (${(1e6 / compiled.perSecond).toFixed(1)} µs each, ${compiled.rows} rows)   ${(compiled.perSecond / engine.perSecond).toFixed(2)}x`);
}
