/**
 * Printed documents per second (numbers, never pass/fail), on one core, in process (no HTTP, no
 * database: what the printing layer itself costs a request):
 *   - registration slips (A5 PDF with a Code 128 and a QR code of the UHID), a different patient each;
 *   - specimen labels as PDF (50 x 25 mm, Code 128 of the accession) and as ZPL text.
 *   npx tsx bench/report-pdf.ts [seconds per figure=5]
 */
import { registrationSlipPdf } from '../src/departments/registration/registration-slip.js';
import { uhidOf, UHID_SYSTEM } from '../src/departments/registration/uhid.js';
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

async function measure(name: string, make: (i: number) => Promise<Uint8Array | string>): Promise<void> {
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
}

console.log(`printing, one core, ${seconds} s per figure (node ${process.version})`);
await measure('registration slip (A5 PDF)', (i) => registrationSlipPdf(patient(i), { hospitalName: 'Nirantar Demo Hospital, New Delhi', registeredAt: new Date(Date.UTC(2026, 10, 27, 4, 0, i % 3600)) }));
await measure('specimen label (50x25 mm PDF)', (i) => specimenLabelPdf(label(i)));
await measure('specimen label (ZPL)', async (i) => specimenLabelZpl(label(i)));
