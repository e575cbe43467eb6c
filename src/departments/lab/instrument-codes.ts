/**
 * Analyzer test codes → catalogue analytes. Instruments send their own codes (Sysmex "WBC", "NEUT%";
 * Roche cobas application numbers "685"; HL7 senders LOINC): each analyte lists the codes that mean
 * it, and its LOINC code always does. A code may mean several analytes (GLU is fasting, random or
 * post-meal glucose): the order on the tube decides which. The first code is what the lab sends back
 * to an analyzer asking what to run.
 *
 * Only codes whose units agree with the catalogue are listed: the cobas c311 sends creatinine, glucose
 * and bilirubin in µmol/L and mmol/L, which would need converting, so those stay unmapped and go to
 * review instead of being stored in the wrong unit.
 */
import { ANALYTES, type Analyte } from '../../hospital/seed/lab-catalogue.js';
import { analyteCoding } from '../../hospital/seed/lab-definitions.js';

export const INSTRUMENT_CODES: Readonly<Record<string, readonly string[]>> = {
  'wbc-count': ['WBC', 'TLC'],
  'rbc-count': ['RBC'],
  hemoglobin: ['HGB', 'HB', 'HBG'],
  hematocrit: ['HCT', 'PCV'],
  mcv: ['MCV'],
  mch: ['MCH'],
  mchc: ['MCHC'],
  rdw: ['RDW-CV', 'RDW'],
  'platelet-count': ['PLT'],
  'neutrophils-percent': ['NEUT%', 'NEU%'],
  'lymphocytes-percent': ['LYMPH%', 'LYM%'],
  'monocytes-percent': ['MONO%', 'MON%'],
  'eosinophils-percent': ['EO%', 'EOS%'],
  'basophils-percent': ['BASO%', 'BAS%'],
  esr: ['ESR'],
  'prothrombin-time': ['PT'],
  inr: ['INR'],
  aptt: ['APTT'],
  'glucose-fasting': ['GLU', 'GLUC', 'FBS'],
  'glucose-random': ['GLU', 'GLUC', 'RBS'],
  'glucose-postprandial': ['GLU', 'GLUC', 'PPBS'],
  urea: ['UREA'],
  creatinine: ['CREA', 'CREAT', 'CRE'],
  'uric-acid': ['UA', 'URIC'],
  sodium: ['NA'],
  potassium: ['K'],
  chloride: ['CL'],
  // Roche cobas c311 application codes 685 (ALTL) and 687 (ASTL), both in U/L.
  alt: ['ALT', 'GPT', 'ALT/GPT', 'SGPT', '685'],
  ast: ['AST', 'GOT', 'AST/GOT', 'SGOT', '687'],
  'alkaline-phosphatase': ['ALP'],
  'bilirubin-total': ['TBIL', 'TBILI', 'BIL-T'],
  'bilirubin-direct': ['DBIL', 'BIL-D'],
  albumin: ['ALB'],
  'protein-total': ['TP'],
  'cholesterol-total': ['CHOL'],
  triglycerides: ['TG', 'TRIG'],
  'hdl-cholesterol': ['HDL', 'HDL-C'],
  'ldl-cholesterol': ['LDL', 'LDL-C'],
  hba1c: ['HBA1C', 'A1C'],
  tsh: ['TSH'],
  'free-t4': ['FT4'],
  't3-total': ['T3'],
  crp: ['CRP'],
};

/**
 * LOINC codes other systems send for the same quantity without naming the method (the catalogue
 * codes the automated count): HL7 senders such as the NIST LRI CBC message use these. The unit check
 * still applies, so a count sent per microlitre instead of in thousands goes to review.
 */
const LOINC_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'rbc-count': ['26453-1'], hemoglobin: ['20509-6'], hematocrit: ['20570-8'], 'wbc-count': ['26464-8'],
  'platelet-count': ['26515-7'], mcv: ['30428-7'], mch: ['28539-5'], mchc: ['28540-3'], rdw: ['30385-9'],
  'neutrophils-percent': ['26511-6', '23761-0'], 'lymphocytes-percent': ['26478-8'], 'monocytes-percent': ['26485-3'],
  'eosinophils-percent': ['26450-7'], 'basophils-percent': ['30180-4'],
};

const normal = (code: string) => code.trim().toUpperCase().replace(/\/$/, '');

const byCode = new Map<string, Analyte[]>();
for (const analyte of ANALYTES) {
  for (const code of [...(INSTRUMENT_CODES[analyte.key] ?? []), analyteCoding(analyte).code, ...(LOINC_ALIASES[analyte.key] ?? [])]) {
    const list = byCode.get(normal(code)) ?? [];
    if (!list.includes(analyte)) list.push(analyte);
    byCode.set(normal(code), list);
  }
}

/**
 * The analytes a device test may be: the test code, then any other component the instrument sent
 * (some put the LOINC code beside their own, e.g. "^^^WBC^804-5").
 */
export function analytesForCode(code: string, components: readonly string[] = []): Analyte[] {
  for (const candidate of [code, ...components]) {
    const found = candidate ? byCode.get(normal(candidate)) : undefined;
    if (found) return found;
  }
  return [];
}

/** The code an analyzer is sent for an analyte (its first instrument code, else its LOINC or local code). */
export function instrumentCodeOf(analyte: Analyte): string {
  return INSTRUMENT_CODES[analyte.key]?.[0] ?? analyteCoding(analyte).code;
}

const UNIT_ALIASES: Record<string, string> = {
  '10^3/ul': '10*3/ul', '10e3/ul': '10*3/ul', 'x10^3/ul': '10*3/ul', '10^9/l': '10*3/ul', '10*9/l': '10*3/ul', 'k/ul': '10*3/ul',
  '10^6/ul': '10*6/ul', '10e6/ul': '10*6/ul', 'x10^6/ul': '10*6/ul', '10^12/l': '10*6/ul', '10*12/l': '10*6/ul', 'm/ul': '10*6/ul',
  um3: 'fl', 'pg/{cell}': 'pg', 'g/dl': 'g/dl', 'u/l': 'u/l', 'iu/l': 'u/l', 'miu/l': 'm[iu]/l', 'uiu/ml': 'm[iu]/l', 'µiu/ml': 'm[iu]/l', 'mm/hr': 'mm/h', sec: 's', '/hpf': '/[hpf]',
};
const unitKey = (u: string) => { const k = u.trim().toLowerCase().replace(/\s+/g, ''); return UNIT_ALIASES[k] ?? k; };

/** True when the device's unit is the analyte's (or the device sent none). */
export function unitsAgree(analyte: Analyte, units: string | undefined): boolean {
  if (!units || !units.trim()) return true;
  if (!analyte.unit) return false;
  const sent = unitKey(units);
  return sent === unitKey(analyte.unit.ucum) || sent === unitKey(analyte.unit.display);
}
