/**
 * The validator must not reject what the specification itself publishes as valid: every example of
 * the R4 package (hl7.fhir.r4.examples, one resource per file, Bundles included) whose type this
 * server supports is validated. About 25 s, most of it in the large conformance resources.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FhirError } from '../../../src/fhir/outcome.js';
import { isSupportedResourceType } from '../../../src/fhir/resource-types.js';
import { validateResource } from '../../../src/fhir/validation/validate-resource.js';
import { DEFECTIVE } from '../../support/defective-examples.js';


interface Outcome {
  file: string;
  type: string;
  error?: string;
}

const results: Outcome[] = [];

before(() => {
  const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('.')) continue;
    const resource = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { resourceType: string };
    if (!isSupportedResourceType(resource.resourceType)) continue;
    try {
      validateResource(resource);
      results.push({ file, type: resource.resourceType });
    } catch (err) {
      if (!(err instanceof FhirError)) throw err; // anything else is a bug in the validator
      results.push({ file, type: resource.resourceType, error: err.message });
    }
  }
  const valid = results.filter((r) => !r.error).length;
  const bundles = results.filter((r) => r.type === 'Bundle');
  console.log(`official examples valid: ${valid} / ${results.length}`);
  console.log(`  of which Bundles: ${bundles.filter((r) => !r.error).length} / ${bundles.length}`);
});

describe('official R4 examples', () => {
  it('covers the example package', () => {
    assert.ok(results.length > 5000, `only ${results.length} examples found`);
  });

  it('accepts every example without a known defect', () => {
    const rejected = results.filter((r) => r.error && !(r.file in DEFECTIVE));
    assert.deepEqual(rejected.map((r) => `${r.file}: ${r.error!.slice(0, 300)}`), []);
  });

  it('still rejects every example listed as defective', () => {
    const byFile = new Map(results.map((r) => [r.file, r]));
    for (const file of Object.keys(DEFECTIVE)) {
      assert.ok(byFile.get(file)?.error, `${file} is listed as defective but was not rejected`);
    }
  });

  it('passes at least 99%', () => {
    const valid = results.filter((r) => !r.error).length;
    assert.ok(valid / results.length >= 0.99, `${valid} / ${results.length}`);
  });
});
