/**
 * Delivers security alerts three ways: a log line at once (console.error, `ALERT <kind>: ...`), a
 * FHIR Communication an admin finds with GET /fhir/R4/Communication?category=security, and, when
 * configured, a POST to a webhook. `raise` never blocks and never throws: it is called from the
 * request pipeline's access sinks, and a broken webhook or a full disk must not fail a clinician's read.
 */
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { ACCESS_WATCH_ACTOR, alertCommunication } from './alert-communication.js';
import { postAlert, webhookOrigin } from './alert-webhook.js';
import type { SecurityAlert } from './security-alert.js';

export interface AlertDeliveryOptions {
  /** Writes the Communication (through the ledger). */
  repo: Pick<FhirRepository, 'create'>;
  /** POST a JSON summary here (default: env NIRANTAR_ALERT_WEBHOOK; none when unset). */
  webhookUrl?: string;
  webhookTimeoutMs?: number;
  /** Where the alert and delivery failures are logged (default console.error). */
  log?: (line: string) => void;
  now?: () => number;
}

export class AlertDelivery {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly webhookUrl: string | undefined;
  private readonly webhookTimeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly now: () => number;

  constructor(private readonly options: AlertDeliveryOptions) {
    this.webhookUrl = options.webhookUrl ?? (process.env.NIRANTAR_ALERT_WEBHOOK || undefined);
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 3000;
    this.log = options.log ?? ((line) => console.error(line));
    this.now = options.now ?? Date.now;
  }

  raise(alert: SecurityAlert): void {
    this.log(`ALERT ${alert.kind}: ${alert.message} [hospital ${alert.hospitalId}]`);
    this.track(this.writeCommunication(alert));
    if (this.webhookUrl) this.track(this.callWebhook(this.webhookUrl, alert));
  }

  /** Resolves once every delivery started so far has finished (tests; a clean shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async writeCommunication(alert: SecurityAlert): Promise<void> {
    try {
      await this.options.repo.create(
        { hospitalId: alert.hospitalId, actor: ACCESS_WATCH_ACTOR, sourceIp: null, requestId: null, requestHash: null, baseUrl: '' },
        alertCommunication(alert, new Date(this.now()).toISOString()),
      );
    } catch (err) {
      this.log(`ALERT ${alert.kind}: could not write its Communication (request ${alert.requestId}): ${(err as Error).message}`);
    }
  }

  private async callWebhook(url: string, alert: SecurityAlert): Promise<void> {
    try {
      await postAlert(url, alert, this.webhookTimeoutMs);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.webhookTimeoutMs} ms` : [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
      this.log(`ALERT ${alert.kind}: webhook ${webhookOrigin(url)} failed (request ${alert.requestId}): ${reason}`);
    }
  }
}
