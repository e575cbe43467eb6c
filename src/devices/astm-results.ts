/**
 * Reads results and host queries out of an ASTM message: each R record becomes a DeviceObservation
 * tied to the specimen of the O record above it; each Q record lists the specimens an analyzer asks
 * orders for.
 */
import type { DeviceHostQuery, DeviceObservation, DeviceResultReport } from './lab-device-types.js';
import { specimenIdentifiers } from './lab-device-types.js';
import { astmInstrumentName, type AstmMessage } from './astm-message.js';
import { astmComponents, astmRepeatCount, astmValue, type AstmRecord } from './astm-records.js';
import { astmProfileFor, defaultTestCode, type AstmInstrumentProfile } from './astm-instrument-profiles.js';
import { parseDecimal } from './hl7-observation-value.js';

/** Specimen id candidates of an O record: the profile's component first, then O-3, then O-4. */
export function astmSpecimenIds(order: AstmRecord, profile?: AstmInstrumentProfile): string[] {
  const o3 = astmComponents(order, 3).map((c) => c.trim());
  const o4 = astmComponents(order, 4).map((c) => c.trim());
  const preferred = profile?.specimenIdComponent ? o3[profile.specimenIdComponent - 1] : undefined;
  return [...new Set([preferred, ...o3, ...o4].filter((x): x is string => !!x))];
}

export function astmResultReport(message: AstmMessage, messageId: string): DeviceResultReport {
  const profile = astmProfileFor(message.header);
  const instrument = astmInstrumentName(message.header);
  const patientIds: string[] = [];
  const observations: DeviceObservation[] = [];
  let specimenIds: string[] = [];
  for (const r of message.records) {
    if (r.type === 'P') {
      specimenIds = [];
      for (const f of [3, 4, 5]) { const id = astmValue(r, f).trim(); if (id) patientIds.push(id); }
    } else if (r.type === 'O') {
      specimenIds = astmSpecimenIds(r, profile);
    } else if (r.type === 'R') {
      observations.push(toObservation(r, specimenIds, instrument, profile));
    }
  }
  return {
    protocol: 'astm', messageId, instrument, processingId: message.header.processingId,
    patientIds: [...new Set(patientIds)], observations, complete: message.complete,
  };
}

function toObservation(r: AstmRecord, specimenIds: string[], instrument: string, profile?: AstmInstrumentProfile): DeviceObservation {
  const components = astmComponents(r, 3);
  const code = (profile?.testCode ?? defaultTestCode)(components);
  // R-4 may have components (GeneXpert: "NOT DETECTED^") or repeats; the value is their non-blank text.
  const values: string[] = [];
  for (let i = 1; i <= Math.max(1, astmRepeatCount(r, 4)); i++) {
    const v = astmComponents(r, 4, i).map((c) => c.trim()).filter(Boolean).join(' ');
    if (v) values.push(v);
  }
  const value = values.join('~');
  const issues: string[] = [];
  if (!code) issues.push('R-3 universal test id is empty');
  if (specimenIds.length === 0) issues.push('no specimen id (no O record before this R record)');
  const flags = astmValue(r, 7).split(/[\s,]+/).filter(Boolean);
  const status = astmValue(r, 9).trim();
  return {
    setId: astmValue(r, 2).trim(),
    test: { code, components },
    value,
    values,
    numericValue: values.length === 1 ? parseDecimal(values[0]) : undefined,
    units: astmValue(r, 5).trim() || undefined,
    referenceRange: astmComponents(r, 6).map((c) => c.trim()).filter(Boolean)[0],
    abnormalFlags: flags,
    resultStatus: status || undefined,
    observedAt: astmValue(r, 13).trim() || astmValue(r, 12).trim() || undefined,
    performingDevice: astmComponents(r, 14).map((c) => c.trim()).filter(Boolean).join('^') || instrument,
    operator: astmComponents(r, 11).map((c) => c.trim()).find(Boolean),
    specimen: specimenIdentifiers({ specimenIds }),
    context: specimenIds.length > 0 ? 'order' : 'patient',
    issues,
  };
}

/**
 * Q-3 starting range id: patient id ^ specimen id ^ … per E1394, but analyzers vary (Sysmex and Roche
 * put the sample number in the 3rd component). Each repeat names one specimen; "ALL" asks for all.
 */
export function astmHostQueries(message: AstmMessage): DeviceHostQuery[] {
  const instrument = astmInstrumentName(message.header);
  const queries: DeviceHostQuery[] = [];
  for (const q of message.records.filter((r) => r.type === 'Q')) {
    const ids: string[] = [];
    for (let i = 1; i <= astmRepeatCount(q, 3); i++) {
      const c = astmComponents(q, 3, i).map((x) => x.trim());
      const id = c[1] || c[2] || c[0];
      if (id) ids.push(id);
    }
    queries.push({ protocol: 'astm', instrument, specimenIds: ids });
  }
  return queries;
}
