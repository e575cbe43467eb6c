/** The text a clerk should read from a server's refusal: the OperationOutcome's issues, one by one. */
export function outcomeText(body: unknown, status?: number): string {
  const issues = (body as { resourceType?: string; issue?: unknown[] } | null)?.issue;
  if ((body as { resourceType?: string } | null)?.resourceType === 'OperationOutcome' && Array.isArray(issues)) {
    const texts = issues
      .map((i) => (i as { diagnostics?: string; details?: { text?: string } }))
      .map((i) => i.diagnostics ?? i.details?.text)
      .filter((t): t is string => typeof t === 'string' && t.length > 0);
    if (texts.length > 0) return texts.join('; ');
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  const message = (body as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  return status ? `the server answered ${status}` : 'the server refused the request';
}
