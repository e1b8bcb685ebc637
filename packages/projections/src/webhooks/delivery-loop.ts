import { type PlatformDefaults, tenantPolicy } from "@loadline/core";
import { type Logger, SecretKeyError } from "@loadline/service";
import type { Db } from "../database.ts";
import type { WebhookDeliveryRow } from "../schema.ts";
import { countOutcome, type WebhookMetrics } from "./metrics.ts";
import { afterAttempt } from "./outcome.ts";
import { abandon, claimDue, recordAttempt, tenantSettingsRow, webhookRow } from "./queries.ts";
import { send } from "./sender.ts";
import type { DeliverySettings } from "./settings.ts";
import { signedHeaders } from "./signing.ts";

export type DeliveryLoopDeps = {
  db: Db;
  log: Logger;
  settings: DeliverySettings;
  /** What a tenant nobody configured may reach: the webhook URLs obey the tenant's allow-list as its load does. */
  platform: PlatformDefaults;
  /** Opens a sealed signing secret (the platform's keyring). */
  open: (sealed: string) => string;
  metrics: WebhookMetrics;
};

/** Time past an attempt's timeout before a claimed delivery is due again, should its process die mid-attempt. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Makes the attempts: takes the due deliveries (up to `concurrency` at once, rows another process
 * took skipped), signs and POSTs each, and records each attempt and what follows from it. Stopped,
 * it takes no more and waits for the attempts in flight; one cut short by the process's end is
 * still pending and comes due again when its lease runs out: never lost, perhaps sent twice
 * (at-least-once; the receiver sees the same Loadline-Webhook-Id).
 */
export class DeliveryLoop {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: DeliveryLoopDeps) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Looks for due deliveries now (a redelivery, a ping) rather than at the next poll. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const { db, log, settings } = this.deps;
    while (this.running) {
      let claimed: WebhookDeliveryRow[] = [];
      const room = settings.concurrency - this.inFlight.size;
      if (room > 0) {
        const now = Date.now();
        claimed = await claimDue(db, new Date(now), new Date(now + settings.timeoutMs + LEASE_MARGIN_MS), room).catch((err: unknown) => {
          log.warn({ err }, "could not read due webhook deliveries");
          return [];
        });
        for (const d of claimed) {
          const attempt = this.attempt(d)
            .catch((err: unknown) => log.error({ err, delivery: d.id }, "webhook attempt could not be recorded; due again after its lease"))
            .finally(() => {
              this.inFlight.delete(attempt);
              this.poke();
            });
          this.inFlight.add(attempt);
        }
      }
      if (claimed.length === 0 || this.inFlight.size >= settings.concurrency) await this.idle(settings.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = null;
    });
  }

  private async attempt(d: WebhookDeliveryRow): Promise<void> {
    const { db, log, settings } = this.deps;
    const webhook = await webhookRow(db, d.tenantId, d.webhookId);
    if (!webhook) return abandon(db, d.id, "the webhook was deleted");
    if (!webhook.enabled) return abandon(db, d.id, "the webhook is disabled");
    let secret: string;
    try {
      secret = this.deps.open(webhook.sealedSecret);
    } catch (err) {
      if (!(err instanceof SecretKeyError)) throw err;
      log.error({ webhook: webhook.id, keyId: err.keyId }, "a webhook's secret cannot be opened: is the keyring configured?");
      return abandon(db, d.id, `the signing secret cannot be opened: ${err.message}`);
    }
    const settingsRow = await tenantSettingsRow(db, d.tenantId);
    const policy = tenantPolicy(this.deps.platform, {
      version: 0,
      ...(settingsRow?.allow ? { targets: settingsRow.allow } : {}),
      ...(settingsRow?.limits ? { limits: settingsRow.limits } : {}),
    }).targets;
    const at = new Date();
    const result = await send({
      url: webhook.url,
      headers: signedHeaders(d.id, secret, d.body, at.getTime()),
      body: d.body,
      policy,
      timeoutMs: settings.timeoutMs,
    });
    const round = d.attempts + 1 - d.attemptsBeforeRedeliver;
    const next = afterAttempt(result.statusCode, round, settings, Date.now());
    await recordAttempt(db, d, { at, ...result, state: next.state, nextAttemptAt: next.nextAttemptAt });
    countOutcome(this.deps.metrics, next.outcome);
    log.debug(
      { delivery: d.id, webhook: webhook.id, statusCode: result.statusCode, error: result.error, outcome: next.outcome },
      "webhook attempt",
    );
  }
}
