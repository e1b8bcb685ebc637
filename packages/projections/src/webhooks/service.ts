import type { PlatformDefaults } from "@loadline/core";
import type { Namespace, NatsConnection } from "@loadline/nats";
import type { Logger } from "@loadline/service";
import type { Registry } from "prom-client";
import type { Db } from "../database.ts";
import type { PgReadModel } from "../read-model.ts";
import { DeliveryLoop } from "./delivery-loop.ts";
import { WebhookDispatcher } from "./dispatcher.ts";
import { webhookMetrics } from "./metrics.ts";
import { pendingCount } from "./queries.ts";
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from "./settings.ts";

export type WebhookOptions = {
  /** Opens a sealed signing secret: the platform's keyring (LL_SECRETS_KEYS / LL_SECRETS_KEY_FILE). */
  open: (sealed: string) => string;
  /** What a tenant nobody configured may reach (LL_TARGETS_*): webhook URLs obey the same allow-list as load. */
  platform: PlatformDefaults;
  settings?: DeliverySettings;
  /** The dispatcher's durable consumer, when not `webhooks` (tests). */
  durable?: string;
};

export type WebhookServiceDeps = WebhookOptions & {
  nc: NatsConnection;
  ns: Namespace;
  db: Db;
  readModel: PgReadModel;
  log: Logger;
  registry?: Registry;
};

/** Webhooks in the projections process: the dispatcher (events to deliveries) and the delivery loop (deliveries to POSTs). */
export class WebhookService {
  private constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly loop: DeliveryLoop,
  ) {}

  static async start(deps: WebhookServiceDeps): Promise<WebhookService> {
    const log = deps.log.child({ component: "webhooks" });
    const metrics = webhookMetrics(deps.registry, () => pendingCount(deps.db));
    const dispatcher = new WebhookDispatcher({ ...deps, log });
    await dispatcher.start();
    const loop = new DeliveryLoop({ ...deps, log, settings: deps.settings ?? DEFAULT_DELIVERY_SETTINGS, metrics });
    loop.start();
    return new WebhookService(dispatcher, loop);
  }

  /** Wakes the delivery loop: something is due now. */
  poke(): void {
    this.loop.poke();
  }

  /** No new deliveries taken; the attempts in flight finish (or, cut short, stay pending). */
  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.loop.stop();
  }
}
