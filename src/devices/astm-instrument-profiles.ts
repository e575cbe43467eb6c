/**
 * Where instruments put the things the standard leaves loose. E1394 says O-3 is the specimen id and
 * R-3 the universal test id (id ^ name ^ type ^ manufacturer's code), but analyzers pack their own
 * components there. The default reading works for most (first non-blank component of O-3, else O-4;
 * test code = manufacturer's code, else the first non-blank component); the few that differ are named
 * here, matched on the H-5 sender name. Add an instrument with one entry, not with code elsewhere.
 */
import type { AstmHeader } from './astm-message.js';

export interface AstmInstrumentProfile {
  readonly name: string;
  readonly matches: (header: AstmHeader) => boolean;
  /** O-3 component (1-based) that holds the tube's barcode. */
  readonly specimenIdComponent?: number;
  /** Builds the test code from the R-3 components when the 4th component alone is ambiguous. */
  readonly testCode?: (components: readonly string[]) => string;
}

const model = (re: RegExp) => (h: AstmHeader) => h.sender.some((c) => re.test(c));

export const ASTM_INSTRUMENT_PROFILES: readonly AstmInstrumentProfile[] = [
  // Roche cobas c311: O-3 = total counter ^ sample id ^ count ^ ^ daily counter.
  { name: 'Roche cobas c311', matches: model(/^c311$/i), specimenIdComponent: 2 },
  // Cepheid GeneXpert: R-3 = ^ host test ^ ^ panel ^ assay ^ version ^ analyte ^ result kind (Ct, EndPt).
  {
    name: 'Cepheid GeneXpert', matches: model(/GeneXpert/i),
    testCode: (c) => [c[1], c[3], c[6], c[7]].map((x) => (x ?? '').trim()).filter(Boolean).join('/'),
  },
];

export function astmProfileFor(header: AstmHeader): AstmInstrumentProfile | undefined {
  return ASTM_INSTRUMENT_PROFILES.find((p) => p.matches(header));
}

/** Default test code: the manufacturer's code (4th component), else the first non-blank component. */
export function defaultTestCode(components: readonly string[]): string {
  const trimmed = components.map((c) => c.trim());
  return trimmed[3] || trimmed.find(Boolean) || '';
}
