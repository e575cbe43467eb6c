/**
 * The laboratory catalogue: specimen containers and the orderable tests and panels, each naming its
 * analytes (lab-analytes.ts). The seed builds the FHIR definitions from these tables, and the
 * laboratory department reads the same tables, so an order, its sample label and its report agree.
 */
import type { Analyte, LabTest, SpecimenKey, SpecimenType } from './lab-catalogue-types.js';
import { ANALYTES } from './lab-analytes.js';

export * from './lab-catalogue-types.js';
export { ANALYTES } from './lab-analytes.js';

const BLOOD = { code: 'BLD', display: 'Whole blood' };

export const SPECIMEN_TYPES: readonly SpecimenType[] = [
  { key: 'edta-whole-blood', name: 'Whole blood, EDTA (lavender top)', collected: BLOOD, tested: BLOOD,
    container: 'Vacuum tube with K2-EDTA, 3 mL', capColour: 'Lavender', additive: 'K2-EDTA', minimumVolumeMl: 2,
    collection: 'Venepuncture', handling: 'Mix by 8-10 gentle inversions; room temperature; test within 6 hours',
    rejection: ['Clotted sample', 'Under-filled tube', 'Unlabelled or mislabelled tube'] },
  { key: 'serum-sst', name: 'Serum (gold top SST)', collected: BLOOD, tested: { code: 'SER', display: 'Serum' },
    container: 'Vacuum tube with clot activator and gel separator, 5 mL', capColour: 'Gold',
    additive: 'Clot activator and separator gel', minimumVolumeMl: 3, collection: 'Venepuncture',
    handling: 'Let clot 30 minutes upright, centrifuge within 2 hours; refrigerate serum if not tested the same day',
    rejection: ['Grossly haemolysed', 'Grossly lipaemic (except lipid profile)', 'Unlabelled or mislabelled tube'] },
  { key: 'fluoride-plasma', name: 'Plasma, sodium fluoride (grey top)', collected: BLOOD,
    tested: { code: 'PLAS', display: 'Plasma' }, container: 'Vacuum tube with sodium fluoride / potassium oxalate, 2 mL',
    capColour: 'Grey', additive: 'Sodium fluoride / potassium oxalate', minimumVolumeMl: 1, collection: 'Venepuncture',
    // Fluoride stops glycolysis, which otherwise lowers glucose by about 5-7% an hour.
    handling: 'Mix by 8-10 inversions; label with collection time (fasting / post-meal)',
    rejection: ['Collection time not recorded', 'Unlabelled or mislabelled tube'] },
  { key: 'citrate-plasma', name: 'Plasma, 3.2% sodium citrate (light blue top)', collected: BLOOD,
    tested: { code: 'PLAS', display: 'Plasma' }, container: 'Vacuum tube with 3.2% sodium citrate, 2.7 mL',
    capColour: 'Light blue', additive: '3.2% trisodium citrate', minimumVolumeMl: 2.7, collection: 'Venepuncture',
    // The 9:1 blood-to-citrate ratio is what the reference intervals assume; a short draw prolongs PT/aPTT.
    handling: 'Fill to the mark (9:1); mix by 3-4 inversions; test within 4 hours',
    rejection: ['Under- or over-filled tube', 'Clotted sample', 'Haemolysed sample'] },
  { key: 'urine-random', name: 'Urine, random midstream (sterile container)',
    collected: { code: 'UR', display: 'Urine' }, tested: { code: 'UR', display: 'Urine' },
    container: 'Sterile screw-capped urine container, 30 mL', capColour: 'White', minimumVolumeMl: 10,
    collection: 'Clean-catch midstream, first morning sample preferred',
    handling: 'Test within 2 hours of collection or refrigerate (2-8 °C) up to 24 hours',
    rejection: ['Leaking container', 'Less than 10 mL', 'Older than 2 hours unrefrigerated'] },
];

const NO_LOINC_PANEL = 'LOINC has no panel with exactly these members; each result carries its own LOINC code';

export const LAB_TESTS: readonly LabTest[] = [
  { key: 'cbc', name: 'Complete blood count (CBC) with differential',
    loinc: { code: '57021-8', display: 'CBC W Auto Differential panel - Blood' },
    section: 'haematology', specimen: 'edta-whole-blood', turnaroundHours: 4,
    analytes: ['hemoglobin', 'wbc-count', 'rbc-count', 'hematocrit', 'mcv', 'mch', 'mchc', 'rdw', 'platelet-count',
      'neutrophils-percent', 'lymphocytes-percent', 'monocytes-percent', 'eosinophils-percent', 'basophils-percent'] },
  { key: 'esr', name: 'ESR', loinc: { code: '30341-2', display: 'Erythrocyte sedimentation rate' },
    section: 'haematology', specimen: 'edta-whole-blood', turnaroundHours: 4, analytes: ['esr'] },
  { key: 'pt-inr', name: 'Prothrombin time with INR', noLoincBecause: NO_LOINC_PANEL,
    section: 'haematology', specimen: 'citrate-plasma', turnaroundHours: 4, analytes: ['prothrombin-time', 'inr'] },
  { key: 'aptt', name: 'aPTT', loinc: { code: '14979-9', display: 'aPTT in Platelet poor plasma by Coagulation assay' },
    section: 'haematology', specimen: 'citrate-plasma', turnaroundHours: 4, analytes: ['aptt'] },
  { key: 'blood-group', name: 'Blood group (ABO & Rh)', loinc: { code: '882-1', display: 'ABO and Rh group [Type] in Blood' },
    section: 'haematology', specimen: 'edta-whole-blood', turnaroundHours: 2, analytes: ['abo-rh'] },
  // LOINC's hepatic function panel lacks the derived values Indian LFT reports print (indirect
  // bilirubin, globulin, A/G ratio); its required members are all here, so the code still fits.
  { key: 'lft', name: 'Liver function tests (LFT)',
    loinc: { code: '24325-3', display: 'Hepatic function 2000 panel - Serum or Plasma' },
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 6,
    analytes: ['bilirubin-total', 'bilirubin-direct', 'bilirubin-indirect', 'ast', 'alt', 'alkaline-phosphatase',
      'protein-total', 'albumin', 'globulin', 'albumin-globulin-ratio'] },
  // LOINC's renal function panel (24362-6) also needs glucose, calcium, phosphate, bicarbonate and
  // albumin, which an Indian KFT does not run; claiming that code would misdescribe the order.
  { key: 'kft', name: 'Kidney function tests (KFT / RFT)', noLoincBecause: NO_LOINC_PANEL,
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 6,
    analytes: ['urea', 'creatinine', 'uric-acid', 'sodium', 'potassium', 'chloride'] },
  { key: 'electrolytes', name: 'Serum electrolytes (Na, K, Cl)', noLoincBecause: NO_LOINC_PANEL,
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 2, analytes: ['sodium', 'potassium', 'chloride'] },
  { key: 'creatinine', name: 'Serum creatinine', loinc: { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma' },
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 4, analytes: ['creatinine'] },
  { key: 'lipid-profile', name: 'Lipid profile', loinc: { code: '24331-1', display: 'Lipid 1996 panel - Serum or Plasma' },
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 6, preparation: 'Fasting 10-12 hours (water allowed)',
    analytes: ['cholesterol-total', 'triglycerides', 'hdl-cholesterol', 'ldl-cholesterol', 'vldl-cholesterol'] },
  { key: 'glucose-fasting', name: 'Blood sugar, fasting (FBS)',
    loinc: { code: '1558-6', display: 'Fasting glucose [Mass/volume] in Serum or Plasma' },
    section: 'biochemistry', specimen: 'fluoride-plasma', turnaroundHours: 2, preparation: 'Fasting 8-10 hours (water allowed)',
    analytes: ['glucose-fasting'] },
  { key: 'glucose-random', name: 'Blood sugar, random (RBS)',
    loinc: { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' },
    section: 'biochemistry', specimen: 'fluoride-plasma', turnaroundHours: 2, analytes: ['glucose-random'] },
  { key: 'glucose-postprandial', name: 'Blood sugar, 2 h post-meal (PPBS)',
    loinc: { code: '1521-4', display: 'Glucose [Mass/volume] in Serum or Plasma --2 hours post meal' },
    section: 'biochemistry', specimen: 'fluoride-plasma', turnaroundHours: 2, preparation: 'Collect 2 hours after the start of a meal',
    analytes: ['glucose-postprandial'] },
  { key: 'hba1c', name: 'HbA1c (glycated haemoglobin)', loinc: { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' },
    section: 'biochemistry', specimen: 'edta-whole-blood', turnaroundHours: 24, analytes: ['hba1c'] },
  // LOINC's thyroid panels (e.g. 24348-5, free T4 and TSH) do not include total T3.
  { key: 'thyroid-profile', name: 'Thyroid profile (T3, free T4, TSH)', noLoincBecause: NO_LOINC_PANEL,
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 24, analytes: ['t3-total', 'free-t4', 'tsh'] },
  { key: 'tsh', name: 'TSH', loinc: { code: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma' },
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 24, analytes: ['tsh'] },
  { key: 'crp', name: 'C-reactive protein (CRP), quantitative',
    loinc: { code: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma' },
    section: 'biochemistry', specimen: 'serum-sst', turnaroundHours: 4, analytes: ['crp'] },
  { key: 'urine-routine', name: 'Urine routine & microscopy', loinc: { code: '24356-8', display: 'Urinalysis complete panel - Urine' },
    section: 'clinical-pathology', specimen: 'urine-random', turnaroundHours: 2,
    analytes: ['urine-colour', 'urine-appearance', 'urine-ph', 'urine-specific-gravity', 'urine-protein', 'urine-glucose',
      'urine-ketones', 'urine-blood', 'urine-bilirubin', 'urine-nitrite', 'urine-leukocyte-esterase', 'urine-pus-cells',
      'urine-rbc'] },
  { key: 'hbsag', name: 'HBsAg', loinc: { code: '5196-1', display: 'Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay' },
    section: 'serology', specimen: 'serum-sst', turnaroundHours: 6, analytes: ['hbsag'] },
  { key: 'anti-hcv', name: 'Anti-HCV', loinc: { code: '16128-1', display: 'Hepatitis C virus Ab [Presence] in Serum' },
    section: 'serology', specimen: 'serum-sst', turnaroundHours: 6, analytes: ['anti-hcv'] },
  { key: 'hiv', name: 'HIV 1/2 (antibody + p24 antigen)',
    loinc: { code: '56888-1', display: 'HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay' },
    section: 'serology', specimen: 'serum-sst', turnaroundHours: 6, preparation: 'Pre-test counselling and consent (ICTC)',
    analytes: ['hiv-ag-ab'] },
  { key: 'dengue-ns1', name: 'Dengue NS1 antigen',
    loinc: { code: '75377-2', display: 'Dengue virus NS1 Ag [Presence] in Serum, Plasma or Blood by Rapid immunoassay' },
    section: 'serology', specimen: 'serum-sst', turnaroundHours: 2, analytes: ['dengue-ns1'] },
  { key: 'widal', name: 'Widal test (tube agglutination)', noLoincBecause: 'Widal LOINC codes not verified (see lab-analytes.ts)',
    section: 'serology', specimen: 'serum-sst', turnaroundHours: 24, analytes: ['widal-typhi-o', 'widal-typhi-h'] },
];

const analyteIndex = new Map(ANALYTES.map((a) => [a.key, a]));
const specimenIndex = new Map(SPECIMEN_TYPES.map((s) => [s.key, s]));

export function analyteByKey(key: string): Analyte {
  const analyte = analyteIndex.get(key);
  if (!analyte) throw new Error(`lab catalogue: unknown analyte '${key}'`);
  return analyte;
}

export function specimenByKey(key: SpecimenKey): SpecimenType {
  const specimen = specimenIndex.get(key);
  if (!specimen) throw new Error(`lab catalogue: unknown specimen '${key}'`);
  return specimen;
}

/** The service-master code of a lab test, shared by its order (ActivityDefinition) and its tariff line. */
export function labServiceCode(test: LabTest): string {
  return `LAB-${test.key.toUpperCase()}`;
}
