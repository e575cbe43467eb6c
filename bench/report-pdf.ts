/**
 * Printed documents per second (numbers, never pass/fail), on one core, in process (no HTTP, no
 * database: what the printing layer itself costs a request):
 *   - registration slips (A5 PDF with a Code 128 and a QR code of the UHID), a different patient each;
 *   - specimen labels as PDF (50 x 25 mm, Code 128 of the accession) and as ZPL text;
 *   - laboratory reports (A4 PDF): a CBC-sized final report (20 analytes, some flagged, one critical)
 *     and a 13-analyte urine routine (coded and text results, a wrapped remark), a different patient
 *     and accession each, and each as a ratio to the registration slip measured in the same run (the
 *     ratio holds across machines better than the rates do).
 *   npx tsx bench/report-pdf.ts [seconds per figure=5]
 */
import { registrationSlipPdf } from '../src/departments/registration/registration-slip.js';
import { uhidOf, UHID_SYSTEM } from '../src/departments/registration/uhid.js';
import type { ReportView, ResultValue } from '../src/departments/lab/lab-api.js';
import { labReportPdf } from '../src/printing/lab-report.js';
import { specimenLabelPdf, specimenLabelZpl, type SpecimenLabelInput } from '../src/printing/specimen-label.js';

const seconds = Number(process.argv[2] ?? 5);
const GIVEN = ['Anita', 'Ramesh', 'Sunita', 'Mohammed', 'Lakshmi', 'Gurpreet', 'Arjun', 'Fatima', 'Venkatesh', 'Priya'];
const FAMILY = ['Sharma', 'Kumar', 'Devi', 'Khan', 'Reddy', 'Singh', 'Iyer', 'Das', 'Patel', 'Nair'];

function patient(i: number) {
  return {
    resourceType: 'Patient', id: `p${i}`,
    identifier: [{ system: UHID_SYSTEM, value: uhidOf(10_000_000_000 + i) }, { system: 'https://healthid.ndhm.gov.in', value: `91-${String(i).padStart(4, '0').slice(-4)}-5678-9012` }],
    name: [{ use: 'official', given: [GIVEN[i % 10]], family: FAMILY[Math.floor(i / 10) % 10] }],
    gender: i % 2 ? 'male' : 'female', birthDate: `19${String(40 + (i % 60)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
    telecom: [{ system: 'phone', value: `+9198${String(76543210 + i).slice(-8)}` }],
  };
}

function label(i: number): SpecimenLabelInput {
  return {
    accession: `L26112${String(7_000_000 + i).padStart(7, '0')}`, patientName: `${GIVEN[i % 10]} ${FAMILY[Math.floor(i / 10) % 10]}`,
    uhid: uhidOf(10_000_000_000 + i), test: 'CBC', container: 'EDTA (lavender)', collectedAt: new Date(Date.UTC(2026, 10, 27, 3, 0, i % 3600)),
  };
}

const q = (analyte: string, name: string, value: string, unit: string, reference: string, flag: ResultValue['flag'] = 'N'): ResultValue =>
  ({ analyte, name, kind: 'quantity', value, unit, reference, flag, status: 'final', critical: flag === 'HH' || flag === 'LL' });
const coded = (analyte: string, name: string, value: string, flag: ResultValue['flag'] = 'N'): ResultValue => ({ analyte, name, kind: 'coded', value, flag, status: 'final' });
const text = (analyte: string, name: string, value: string): ResultValue => ({ analyte, name, kind: 'text', value, status: 'final' });

/** A CBC with differential and absolute counts: 20 analytes; the haemoglobin varies with i, critical in one report of ten. */
function cbc(i: number): ResultValue[] {
  const hb = i % 10 === 0 ? 6.2 : 11 + (i % 60) / 10;
  return [
    q('hb', 'Haemoglobin', hb.toFixed(1), 'g/dL', '13.0 – 17.0', hb < 7 ? 'LL' : hb < 13 ? 'L' : 'N'),
    q('tlc', 'Total leucocyte count', '14.2', '×10³/µL', '4.0 – 10.0', 'H'), q('rbc', 'RBC count', '4.10', '×10⁶/µL', '4.5 – 5.5', 'L'),
    q('pcv', 'Haematocrit (PCV)', '38.0', '%', '40 – 50', 'L'), q('mcv', 'MCV', '86.7', 'fL', '83 – 101'), q('mch', 'MCH', '29.0', 'pg', '27 – 32'),
    q('mchc', 'MCHC', '33.5', 'g/dL', '31.5 – 34.5'), q('rdw', 'RDW-CV', '13.1', '%', '11.6 – 14.0'), q('plt', 'Platelet count', '262', '×10³/µL', '150 – 410'),
    q('mpv', 'MPV', '9.1', 'fL', '7.5 – 11.5'), q('neut', 'Neutrophils', '78', '%', '40 – 80'), q('lymph', 'Lymphocytes', '15', '%', '20 – 40', 'L'),
    q('mono', 'Monocytes', '4', '%', '2 – 10'), q('eos', 'Eosinophils', '2', '%', '1 – 6'), q('baso', 'Basophils', '1', '%', '0 – 2'),
    q('anc', 'Absolute neutrophil count', '11.08', '×10³/µL', '2.0 – 7.0', 'H'), q('alc', 'Absolute lymphocyte count', '2.13', '×10³/µL', '1.0 – 3.0'),
    q('amc', 'Absolute monocyte count', '0.57', '×10³/µL', '0.2 – 1.0'), q('aec', 'Absolute eosinophil count', '0.28', '×10³/µL', '0.02 – 0.5'),
    q('abc', 'Absolute basophil count', '0.14', '×10³/µL', '0.02 – 0.1', 'H'),
  ];
}

/** A urine routine examination: 13 analytes, physical, chemical (coded) and microscopy, with a remark. */
function urine(i: number): ResultValue[] {
  return [
    text('colour', 'Colour', 'Pale yellow'), text('appearance', 'Appearance', i % 2 ? 'Clear' : 'Slightly turbid'),
    q('sg', 'Specific gravity', '1.020', '', '1.005 – 1.030'), q('ph', 'pH', '6.0', '', '4.6 – 8.0'),
    coded('protein', 'Protein', i % 3 ? 'Nil' : '2+', i % 3 ? 'N' : 'A'), coded('glucose', 'Glucose', 'Nil'), coded('ketones', 'Ketone bodies', 'Nil'),
    coded('blood', 'Blood', 'Nil'), coded('bilirubin', 'Bilirubin', 'Negative'), coded('urobilinogen', 'Urobilinogen', 'Normal'),
    q('pus', 'Pus cells', '8-10', '/hpf', '0 – 5', 'H'), q('rbcu', 'Red blood cells', 'Nil', '/hpf', '0 – 2'),
    text('remarks', 'Microscopy remarks', 'Occasional granular casts seen. Calcium oxalate crystals present. No yeast cells or parasites seen.'),
  ];
}

function labReport(i: number, kind: 'cbc' | 'urine'): ReportView {
  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 27, 3, minutes, i % 60)).toISOString();
  return {
    id: `dr-${i}`,
    order: { id: `sr-${i}`, test: kind === 'cbc' ? 'lab-cbc' : 'lab-urine', testName: kind === 'cbc' ? 'Complete blood count (CBC)' : 'Urine routine examination', priority: 'routine', orderedAt: at(0), requester: 'Dr. Meera Iyer' },
    patient: { id: `p${i}`, name: `${GIVEN[i % 10]} ${FAMILY[Math.floor(i / 10) % 10]}`, uhid: uhidOf(10_000_000_000 + i), gender: i % 2 ? 'male' : 'female', ageYears: 20 + (i % 60) },
    specimen: { id: `sp-${i}`, accession: `L26112${String(7_000_000 + i).padStart(7, '0')}`, name: kind === 'cbc' ? 'Whole blood (EDTA)' : 'Urine (sterile container)', collectedAt: at(5), receivedAt: at(30) },
    section: kind === 'cbc' ? 'haematology' : 'clinical-pathology',
    status: 'final',
    results: kind === 'cbc' ? cbc(i) : urine(i),
    validatedBy: 'Ramesh Kumar', validatedAt: at(90), authorisedBy: 'Dr. Sunita Reddy', authorisedAt: at(120),
    pdf: `/api/lab/reports/dr-${i}/report.pdf`,
  };
}

/** Measures `make` for the set time; returns documents per second. */
async function measure(name: string, make: (i: number) => Promise<Uint8Array | string>): Promise<number> {
  for (let i = 0; i < 50; i++) await make(i); // warm-up
  let count = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    const out = await make(count);
    bytes += out.length;
    count++;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${name.padEnd(34)} ${(count / elapsed).toFixed(0).padStart(7)}/s   ${count} in ${elapsed.toFixed(1)} s, ${(bytes / count / 1024).toFixed(1)} KiB each`);
  return count / elapsed;
}

console.log(`printing, one core, ${seconds} s per figure (node ${process.version})`);
const slips = await measure('registration slip (A5 PDF)', (i) => registrationSlipPdf(patient(i), { hospitalName: 'Nirantar Demo Hospital, New Delhi', registeredAt: new Date(Date.UTC(2026, 10, 27, 4, 0, i % 3600)) }));
await measure('specimen label (50x25 mm PDF)', (i) => specimenLabelPdf(label(i)));
await measure('specimen label (ZPL)', async (i) => specimenLabelZpl(label(i)));
const printedAt = new Date(Date.UTC(2026, 10, 27, 8, 30, 0));
const cbcReports = await measure('lab report, CBC 20 analytes (A4)', (i) => labReportPdf({ hospitalName: 'Nirantar Demo Hospital, New Delhi', report: labReport(i, 'cbc'), printedAt, printedBy: 'Lakshmi Nair' }));
const urineReports = await measure('lab report, urine 13 analytes (A4)', (i) => labReportPdf({ hospitalName: 'Nirantar Demo Hospital, New Delhi', report: labReport(i, 'urine'), printedAt, printedBy: 'Lakshmi Nair' }));
console.log(`lab report vs registration slip     CBC ${(cbcReports / slips).toFixed(2)}x, urine ${(urineReports / slips).toFixed(2)}x the slip's rate (same run)`);
