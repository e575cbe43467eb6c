/**
 * The OPD visit slip / prescription (A5) handed to the patient at the end of the consultation: the
 * hospital, department and doctor, the date and time in India, the patient's name and UHID (in print
 * and as a Code 128 of its digits, like the registration slip), the token, the vitals, the diagnoses
 * with their ICD-10 codes, the medicines, the lab tests ordered, the advice and the follow-up.
 *
 * Long prescriptions flow onto further A5 pages (each headed with the patient and UHID). Pure and
 * deterministic: the PDF depends only on the summary and the hospital's name; its document date is the
 * latest change to the data shown.
 */
import { indiaDate, indiaDateTime } from '../../printing/india-time.js';
import { GREY, PageLayout } from '../../printing/layout.js';
import type { VisitSummary } from './visit-summary.js';

export interface VisitSlipOptions {
  hospitalName: string;
}

const LEFT = 12;
const RIGHT = 148 - 12;
const BOTTOM = 210 - 14;

const SEX: Record<string, string> = { male: 'Male', female: 'Female', other: 'Other', unknown: 'Unknown' };

/** The vitals as one line each part: "Pulse 78 /min", "BP 120/80 mmHg" … */
export function vitalsText(v: VisitSummary['vitals']): string[] {
  const parts: string[] = [];
  if (v.pulse !== undefined) parts.push(`Pulse ${v.pulse} /min`);
  if (v.systolic !== undefined && v.diastolic !== undefined) parts.push(`BP ${v.systolic}/${v.diastolic} mmHg`);
  if (v.temperature !== undefined) parts.push(`Temp ${v.temperature} °C`);
  if (v.spo2 !== undefined) parts.push(`SpO2 ${v.spo2}%`);
  if (v.respiratoryRate !== undefined) parts.push(`RR ${v.respiratoryRate} /min`);
  if (v.weightKg !== undefined) parts.push(`Weight ${v.weightKg} kg`);
  if (v.heightCm !== undefined) parts.push(`Height ${v.heightCm} cm`);
  return parts;
}

/** Pages laid out one after the other; the text flows on to a new page at the bottom. */
class Flow {
  pages: PageLayout[] = [];
  page!: PageLayout;
  y = 0;

  constructor(private readonly s: VisitSummary, private readonly options: VisitSlipOptions, private readonly date: Date) {}

  async start(): Promise<void> {
    this.page = await PageLayout.create({ size: 'A5', title: `OPD visit slip ${this.s.patient.uhid ?? this.s.visit}`, subject: this.s.patient.name, date: this.date });
    this.pages.push(this.page);
    if (this.pages.length === 1) return;
    const { bold } = this.page.fonts;
    this.page.text(`${this.s.patient.name} · UHID ${this.s.patient.uhid ?? '-'} · token ${this.s.token} (continued, page ${this.pages.length})`, LEFT, 10, { size: 9, font: bold, maxWidth: RIGHT - LEFT });
    this.page.rule(16, LEFT, RIGHT);
    this.y = 20;
  }

  async room(height: number): Promise<void> {
    if (this.y + height > BOTTOM) await this.start();
  }

  async heading(text: string): Promise<void> {
    await this.room(12);
    this.y += 1.5;
    this.y = this.page.text(text.toUpperCase(), LEFT, this.y, { size: 8.5, font: this.page.fonts.bold, color: GREY }) + 0.5;
  }

  /** `text` wrapped to the page width, `indent` mm in; a first-line `marker` ("1.") hangs in the margin. */
  async paragraph(text: string | string[], options: { marker?: string; size?: number; bold?: boolean } = {}): Promise<void> {
    const size = options.size ?? 10;
    const font = options.bold ? this.page.fonts.bold : this.page.fonts.regular;
    const indent = options.marker ? 6 : 0;
    const lines = wrap(this.page, text, font, size, RIGHT - LEFT - indent);
    for (const [i, line] of lines.entries()) {
      await this.room(5);
      if (i === 0 && options.marker) this.page.text(options.marker, LEFT, this.y, { size, font: this.page.fonts.regular });
      this.y = this.page.text(line, LEFT + indent, this.y, { size, font });
    }
  }

  async save(): Promise<Uint8Array> {
    const [first, ...rest] = this.pages;
    for (const more of rest) {
      const [copied] = await first.doc.copyPages(more.doc, [0]);
      first.doc.addPage(copied);
    }
    return first.save();
  }
}

/** Lines of at most `width` mm: text wrapped at spaces, or a list of parts ("BP 120/80 mmHg") wrapped between parts. */
function wrap(page: PageLayout, text: string | string[], font: PageLayout['fonts']['regular'], size: number, width: number): string[] {
  const lines: string[] = [];
  const paragraphs = Array.isArray(text) ? [text] : text.split(/\r?\n/).map((p) => p.split(/\s+/).filter(Boolean));
  const gap = Array.isArray(text) ? ' · ' : ' ';
  for (const words of paragraphs) {
    let line = '';
    for (const word of words) {
      const next = line ? `${line}${gap}${word}` : word;
      if (line && page.widthOf(next, font, size) > width) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    if (line) lines.push(line);
  }
  return lines.length > 0 ? lines : [''];
}

/** The slip as an A5 PDF (one page, more for a long prescription). */
export async function visitSlipPdf(s: VisitSummary, options: VisitSlipOptions): Promise<Uint8Array> {
  const seen = s.times.startedAt ?? s.times.arrivedAt;
  const date = new Date(s.lastUpdated || seen);
  const flow = new Flow(s, options, date);
  await flow.start();
  const page = flow.page;
  const { bold, mono } = page.fonts;

  let y = page.text(options.hospitalName, LEFT, 10, { size: 14, font: bold, maxWidth: RIGHT - LEFT - 28 });
  page.text(`${s.departmentName ?? s.department} · OPD visit slip / prescription`, LEFT, y + 1, { size: 9, color: GREY, maxWidth: RIGHT - LEFT - 28 });
  page.text('TOKEN', RIGHT - 24, 9, { size: 8, color: GREY });
  page.text(String(s.token), RIGHT - 24, 13, { size: 20, font: bold });
  page.rule(25, LEFT, RIGHT);

  page.text('UHID', LEFT, 28, { size: 8, color: GREY });
  page.text(s.patient.uhid ?? '(no UHID)', LEFT, 32, { size: 16, font: mono });
  const digits = (s.patient.uhid ?? '').replace(/\D/g, '');
  if (digits) page.code128(digits, 72, 28, RIGHT - 72, 13, 'center');
  page.rule(44, LEFT, RIGHT);

  y = 47;
  y = page.field('Patient', s.patient.name, LEFT, y, { labelWidth: 22, size: 11 }) + 1;
  const about = [s.patient.gender ? SEX[s.patient.gender] ?? s.patient.gender : undefined, s.patient.birthDate ? `DOB ${indiaDate(s.patient.birthDate)}` : undefined].filter(Boolean).join(', ');
  if (about) y = page.field('Sex / DOB', about, LEFT, y, { labelWidth: 22 }) + 1;
  y = page.field('Doctor', s.doctor?.name ?? '-', LEFT, y, { labelWidth: 22 }) + 1;
  y = page.field('Date', indiaDateTime(seen), LEFT, y, { labelWidth: 22 }) + 1;
  page.rule(y + 1, LEFT, RIGHT);
  flow.y = y + 3;

  const vitals = vitalsText(s.vitals);
  if (vitals.length > 0) {
    await flow.heading('Vitals');
    await flow.paragraph(vitals);
  }
  if (s.complaints) {
    await flow.heading('Complaints');
    await flow.paragraph(s.complaints);
  }
  if (s.diagnoses.length > 0) {
    await flow.heading('Diagnosis');
    for (const [i, d] of s.diagnoses.entries()) await flow.paragraph(`${d.text}${d.icd10 ? ` (ICD-10 ${d.icd10})` : ''}`, { marker: `${i + 1}.` });
  }
  if (s.medications.length > 0) {
    await flow.heading('Rx');
    for (const [i, m] of s.medications.entries()) {
      await flow.room(m.instructions ? 9 : 5); // a medicine and its instructions stay together
      await flow.paragraph(m.text, { marker: `${i + 1}.`, bold: true });
      if (m.instructions) await flow.paragraph(m.instructions, { marker: ' ' });
    }
  }
  if (s.labOrders.length > 0) {
    await flow.heading('Investigations ordered');
    for (const [i, o] of s.labOrders.entries()) await flow.paragraph(`${o.name}${o.loinc ? ` (LOINC ${o.loinc})` : ''}`, { marker: `${i + 1}.` });
  }
  if (s.advice) {
    await flow.heading('Advice');
    await flow.paragraph(s.advice);
  }
  if (s.followUpDays !== null) {
    await flow.heading('Follow-up');
    const on = indiaDate(new Date(Date.parse(seen) + 330 * 60_000 + s.followUpDays * 86_400_000).toISOString().slice(0, 10));
    await flow.paragraph(`After ${s.followUpDays} day${s.followUpDays === 1 ? '' : 's'} (on ${on}), or earlier if unwell.`);
  }
  // The doctor's signature: into the bottom margin rather than alone on a new page.
  if (flow.y + 12 > 210 - 4) await flow.start();
  flow.y += 8;
  flow.page.rule(flow.y, RIGHT - 50, RIGHT, 0.4);
  flow.page.text(s.doctor?.name ?? 'Doctor', RIGHT - 50, flow.y + 1, { size: 8, color: GREY, maxWidth: 50 });
  return flow.save();
}
