/**
 * A search parameter the server cannot apply: unknown, unsupported modifier, or a value that does
 * not parse. search.ts turns it into a 400 (Prefer: handling=strict) or into a warning in the
 * Bundle's OperationOutcome (lenient), naming the parameter either way.
 */
export class SearchValueError extends Error {
  constructor(
    message: string,
    /** OperationOutcome issue code: 'not-supported' for unknown things, 'invalid' for bad values. */
    readonly issueCode: 'invalid' | 'not-supported' = 'invalid',
  ) {
    super(message);
  }
}
