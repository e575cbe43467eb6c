/**
 * FHIR OperationOutcome errors. Every error a client sees is one of these, with the HTTP status
 * that fits and, where it concerns an element, the FHIRPath expression of that element.
 */
export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export interface OperationOutcomeIssue {
  severity: IssueSeverity;
  code: string;
  diagnostics?: string;
  details?: { text: string };
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function issue(code: string, text: string, expression?: string, severity: IssueSeverity = 'error'): OperationOutcomeIssue {
  return { severity, code, diagnostics: text, ...(expression ? { expression: [expression] } : {}) };
}

/** An error that the HTTP layer turns into an OperationOutcome with `status`. */
export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  constructor(status: number, issues: OperationOutcomeIssue[] | OperationOutcomeIssue) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; '));
    this.status = status;
    this.outcome = operationOutcome(list);
  }
}

export const badRequest = (text: string, expression?: string) => new FhirError(400, issue('invalid', text, expression));
export const notFound = (text: string) => new FhirError(404, issue('not-found', text));
export const gone = (text: string) => new FhirError(410, issue('deleted', text));
export const conflict = (text: string) => new FhirError(409, issue('conflict', text));
export const preconditionFailed = (text: string) => new FhirError(412, issue('conflict', text));
export const unprocessable = (text: string, expression?: string) =>
  new FhirError(422, issue('processing', text, expression));
