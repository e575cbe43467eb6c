/**
 * The optional webhook (NIRANTAR_ALERT_WEBHOOK): a JSON summary of each alert POSTed to a URL the
 * hospital chooses (a chat room, a SIEM, a pager). Best effort: 3 s and then it is given up and
 * logged; the log line and the Communication are the alert's record, not this.
 */
import type { SecurityAlert } from './security-alert.js';

export interface AlertWebhookBody {
  alert: SecurityAlert['kind'];
  hospital: string;
  time: string;
  principal: string;
  role: string | null;
  sourceIp: string | null;
  interaction: string;
  resourceType: string | null;
  subject: string | null;
  requestId: string;
  message: string;
}

export function webhookBody(alert: SecurityAlert): AlertWebhookBody {
  return {
    alert: alert.kind, hospital: alert.hospitalId, time: alert.time, principal: alert.principal, role: alert.role,
    sourceIp: alert.sourceIp, interaction: alert.interaction, resourceType: alert.resourceType ?? null,
    subject: alert.subject ?? null, requestId: alert.requestId, message: alert.message,
  };
}

/** Resolves when the receiver answered 2xx; rejects (with a reason safe to log) otherwise. */
export async function postAlert(url: string, alert: SecurityAlert, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(webhookBody(alert)),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`answered ${response.status}`);
}

/** Scheme, host and port only: a webhook URL often carries its secret in the path or the query. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
