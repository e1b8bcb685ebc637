import { Counter, Gauge, type Registry } from "prom-client";
import type { Outcome } from "./outcome.ts";

export type WebhookMetrics = { deliveries: Counter<"outcome">; pending: Gauge };

/** Without a registry the metrics are kept but not exposed (tests start many services in one process). */
export function webhookMetrics(registry: Registry | undefined, pendingCount: () => Promise<number>): WebhookMetrics {
  const registers = registry ? [registry] : [];
  return {
    deliveries: new Counter({
      name: "loadline_webhook_deliveries_total",
      help: "Webhook delivery attempts by what became of the delivery: delivered, retry (to be retried), dead (failed for good)",
      labelNames: ["outcome"],
      registers,
    }),
    pending: new Gauge({
      name: "loadline_webhook_pending",
      help: "Webhook deliveries waiting for an attempt (due or backing off)",
      registers,
      async collect() {
        this.set(await pendingCount().catch(() => 0));
      },
    }),
  };
}

export const countOutcome = (m: WebhookMetrics, outcome: Outcome): void => void m.deliveries.inc({ outcome });
