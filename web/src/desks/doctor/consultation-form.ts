/**
 * The consultation form as data: its fields, the checks made before queuing, and the body of
 * POST /api/opd/visits/:id/consultation. No DOM, no React.
 */
export interface DiagnosisLine { text: string; icd10: string }
export interface MedicationLine { text: string; dose: string; frequency: string; days: string }

export interface ConsultationForm {
  pulse: string; systolic: string; diastolic: string; temperature: string; spo2: string; respiratoryRate: string; weightKg: string; heightCm: string;
  complaints: string;
  diagnoses: DiagnosisLine[];
  medications: MedicationLine[];
  /** ActivityDefinition ids. */
  labOrders: string[];
  advice: string;
  followUpDays: string;
}

/** The server's ranges (src/departments/opd/consultation.ts, VITAL_RULES): plausible in a living patient. */
export const VITALS = [
  { field: 'pulse', label: 'Pulse', unit: '/min', min: 20, max: 300, whole: true },
  { field: 'systolic', label: 'BP systolic', unit: 'mmHg', min: 40, max: 300, whole: true },
  { field: 'diastolic', label: 'BP diastolic', unit: 'mmHg', min: 10, max: 200, whole: true },
  { field: 'temperature', label: 'Temperature', unit: '°C', min: 25, max: 45, whole: false },
  { field: 'spo2', label: 'SpO₂', unit: '%', min: 20, max: 100, whole: true },
  { field: 'respiratoryRate', label: 'Resp. rate', unit: '/min', min: 4, max: 100, whole: true },
  { field: 'weightKg', label: 'Weight', unit: 'kg', min: 0.2, max: 400, whole: false },
  { field: 'heightCm', label: 'Height', unit: 'cm', min: 20, max: 275, whole: false },
] as const;

export type VitalField = (typeof VITALS)[number]['field'];

export const EMPTY_DIAGNOSIS: DiagnosisLine = { text: '', icd10: '' };
export const EMPTY_MEDICATION: MedicationLine = { text: '', dose: '', frequency: '', days: '' };

export const EMPTY_CONSULTATION: ConsultationForm = {
  pulse: '', systolic: '', diastolic: '', temperature: '', spo2: '', respiratoryRate: '', weightKg: '', heightCm: '',
  complaints: '', diagnoses: [EMPTY_DIAGNOSIS], medications: [EMPTY_MEDICATION], labOrders: [], advice: '', followUpDays: '',
};

export type ConsultationErrors = Partial<Record<string, string>>;

/** An ICD-10 code as the server takes it: a letter, two digits, optionally a dot and one to four more (J06, E11.9). */
export const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;

const fahrenheitToCelsius = (f: number) => Math.round(((f - 32) * 5) / 9 * 10) / 10;

const number = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));

export function checkConsultation(form: ConsultationForm): ConsultationErrors {
  const errors: ConsultationErrors = {};
  for (const v of VITALS) {
    const value = number(form[v.field]);
    if (value === undefined) continue;
    if (v.field === 'temperature' && value >= 90 && value <= 110) errors[v.field] = `That looks like °F: enter °C (98.6 °F is 37 °C, ${value} °F is ${fahrenheitToCelsius(value)} °C)`;
    else if (!Number.isFinite(value) || value < v.min || value > v.max) errors[v.field] = `${v.label} is a number from ${v.min} to ${v.max} ${v.unit}`;
    else if (v.whole && !Number.isInteger(value)) errors[v.field] = `${v.label} is a whole number of ${v.unit}`;
  }
  const sys = number(form.systolic);
  const dia = number(form.diastolic);
  if ((sys === undefined) !== (dia === undefined)) errors[sys === undefined ? 'systolic' : 'diastolic'] ??= 'Blood pressure needs both systolic and diastolic';
  else if (sys !== undefined && dia !== undefined && !errors.systolic && !errors.diastolic && dia >= sys) errors.diastolic = 'The diastolic pressure is lower than the systolic';
  form.diagnoses.forEach((d, i) => {
    const code = d.icd10.trim().toUpperCase();
    if (code && !ICD10.test(code)) errors[`diagnosis-${i}`] = 'An ICD-10 code is a letter and two digits, with an optional .x: E11.9, J06';
    else if (code && !d.text.trim()) errors[`diagnosis-${i}`] = 'Write the diagnosis in words too';
  });
  form.medications.forEach((m, i) => {
    const days = m.days.trim();
    if (days && (!/^\d{1,3}$/.test(days) || Number(days) < 1 || Number(days) > 365)) errors[`medication-${i}`] = 'Days is a whole number of days, 1 to 365';
    else if (!m.text.trim() && (m.dose.trim() || m.frequency.trim() || days)) errors[`medication-${i}`] = 'Name the medicine';
  });
  const follow = form.followUpDays.trim();
  if (follow && (!/^\d{1,3}$/.test(follow) || Number(follow) < 1 || Number(follow) > 365)) errors.followUpDays = 'Follow-up is a whole number of days, 1 to 365';
  const anything = VITALS.some((v) => form[v.field].trim()) || form.complaints.trim() || form.diagnoses.some((d) => d.text.trim())
    || form.medications.some((m) => m.text.trim()) || form.labOrders.length > 0 || form.advice.trim() || follow;
  if (!anything) errors.complaints = 'Record at least the complaints or a diagnosis';
  return errors;
}

export interface ConsultationBody {
  vitals?: Partial<Record<VitalField, number>>;
  complaints?: string;
  diagnoses?: Array<{ text: string; icd10?: string }>;
  advice?: string;
  labOrders?: Array<{ test: string }>;
  medications?: Array<{ text: string; dose?: string; frequency?: string; days?: number }>;
  followUpDays?: number;
}

/** Only what was filled in; call after checkConsultation found nothing. */
export function consultationBody(form: ConsultationForm): ConsultationBody {
  const text = (value: string) => value.trim() || undefined;
  const vitals = Object.fromEntries(VITALS.map((v) => [v.field, number(form[v.field])]).filter(([, value]) => value !== undefined));
  const diagnoses = form.diagnoses.filter((d) => d.text.trim()).map((d) => ({ text: d.text.trim(), ...(d.icd10.trim() ? { icd10: d.icd10.trim().toUpperCase() } : {}) }));
  const medications = form.medications.filter((m) => m.text.trim()).map((m) => ({
    text: m.text.trim(), ...(text(m.dose) ? { dose: text(m.dose) } : {}), ...(text(m.frequency) ? { frequency: text(m.frequency) } : {}),
    ...(m.days.trim() ? { days: Number(m.days.trim()) } : {}),
  }));
  const body: ConsultationBody = {};
  if (Object.keys(vitals).length > 0) body.vitals = vitals;
  if (text(form.complaints)) body.complaints = text(form.complaints);
  if (diagnoses.length > 0) body.diagnoses = diagnoses;
  if (medications.length > 0) body.medications = medications;
  if (form.labOrders.length > 0) body.labOrders = [...new Set(form.labOrders)].map((test) => ({ test }));
  if (text(form.advice)) body.advice = text(form.advice);
  if (form.followUpDays.trim()) body.followUpDays = Number(form.followUpDays.trim());
  return body;
}

export const consultationPath = (visit: string) => `/api/opd/visits/${encodeURIComponent(visit)}/consultation`;
export const visitSlipPath = (visit: string) => `/api/opd/visits/${encodeURIComponent(visit)}/slip.pdf`;
