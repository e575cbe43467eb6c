/**
 * The laboratory catalogue as the desks see it (LabCatalogue), and the catalogue test behind an
 * order. The seed's tables (hospital/seed/lab-catalogue.ts) are the source of names, containers,
 * analytes and turnaround targets, as that module intends; the store decides which tests are
 * offered: a test whose ActivityDefinition an administrator retired (or never seeded) is not.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { allByIdPrefix } from '../../fhir/repository/id-prefix.js';
import { analyteByKey, LAB_TESTS, specimenByKey, type LabTest } from '../../hospital/seed/lab-catalogue.js';
import { ANSWER_SETS, ANSWERS } from '../../hospital/seed/lab-result-codes.js';
import type { Queryable } from '../../store/database.js';
import type { CatalogueAnalyte, CatalogueTest, LabCatalogue } from './lab-api.js';

const TEST_ID_PREFIX = 'lab-';
const answerDisplay = new Map(ANSWERS.map((a) => [a.code, a.display]));

function analyteView(key: string): CatalogueAnalyte {
  const a = analyteByKey(key);
  return {
    key: a.key, name: a.name, kind: a.result,
    ...(a.unit ? { unit: a.unit.display } : {}),
    ...(a.decimals !== undefined ? { decimals: a.decimals } : {}),
    ...(a.answers ? { answers: ANSWER_SETS[a.answers].map((code) => ({ code, display: answerDisplay.get(code) ?? code })) } : {}),
  };
}

function testView(test: LabTest): CatalogueTest {
  const s = specimenByKey(test.specimen);
  return {
    id: `${TEST_ID_PREFIX}${test.key}`, key: test.key, name: test.name, section: test.section,
    specimen: { key: s.key, name: s.name, container: s.container, capColour: s.capColour },
    turnaroundHours: test.turnaroundHours,
    analytes: test.analytes.map(analyteView),
  };
}

const views = new Map(LAB_TESTS.map((t) => [`${TEST_ID_PREFIX}${t.key}`, testView(t)]));

/** The catalogue test of an ActivityDefinition id (lab-cbc), whether or not it is offered today. */
export function catalogueTest(activityDefinitionId: string): CatalogueTest | undefined {
  return views.get(activityDefinitionId);
}

/** The catalogue test an order instantiates (ServiceRequest.instantiatesCanonical …/ActivityDefinition/lab-cbc). */
export function testOfOrder(order: FhirResource): CatalogueTest | undefined {
  for (const canonical of (order.instantiatesCanonical as string[] | undefined) ?? []) {
    const id = canonical.split('|')[0].split('/').pop() ?? '';
    const test = catalogueTest(id);
    if (test) return test;
  }
  return undefined;
}

/** The tests the hospital offers: the seeded ActivityDefinitions still active, in catalogue order. */
export async function labCatalogue(db: Queryable, hospitalId: string): Promise<LabCatalogue> {
  const active = new Set((await allByIdPrefix(db, hospitalId, 'ActivityDefinition', TEST_ID_PREFIX))
    .filter((d: FhirResource) => d.status === 'active' && d.kind === 'ServiceRequest')
    .map((d) => d.id as string));
  return { tests: [...views.values()].filter((t) => active.has(t.id)) };
}
