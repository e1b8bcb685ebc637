import { z } from "zod";
import { sealedValueSchema } from "./access.ts";

/**
 * The event types a tenant may subscribe a webhook to: a run's outcome and its trouble, and the
 * outcome of the agent actions its timeline fired. `worker.lost` is the fleet's (tenant `_fleet`),
 * not a tenant's: a tenant hears `run.worker-lost` on its own runs instead. No `*`: a receiver
 * names what it handles, so a new event type never reaches one that does not expect it.
 */
export const WEBHOOK_EVENT_TYPES = [
  "run.started",
  "run.completed",
  "run.failed",
  "run.cancelled",
  "run.verdict-recorded",
  "run.threshold-crossed",
  "run.worker-lost",
  "agent.action-completed",
  "agent.action-failed",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `loadline`: the event as JSON (docs/webhooks.md); `slack`: a message Slack's incoming webhooks post. */
export const WEBHOOK_FORMATS = ["loadline", "slack"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const filtersSchema = z.object({
  loadTestId: z.string().min(1).optional(),
  tags: z.array(z.string().min(1)).optional(),
});
export type WebhookFilters = z.infer<typeof filtersSchema>;

/** A subscription as its events record it: the loose form, which must go on reading what older rules let in. */
export const webhookDefinitionSchema = z.object({
  url: z.string().min(1),
  events: z.array(z.string().min(1)).min(1),
  filters: filtersSchema,
  format: z.enum(WEBHOOK_FORMATS),
  enabled: z.boolean(),
  description: z.string().optional(),
});
export type WebhookDefinition = z.infer<typeof webhookDefinitionSchema>;

/** An http(s) URL without user info: where it may point is the tenant's allow-list's to say (the orchestrator checks it). */
export const webhookUrlSchema = z
  .string()
  .max(2_048)
  .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), "must be an http or https URL");

/** A subscription as a write must give it: known event types, bounded sizes. */
export const webhookInputSchema = z
  .object({
    url: webhookUrlSchema,
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .refine((types) => new Set(types).size === types.length, "names an event type twice"),
    filters: z
      .object({
        loadTestId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an id: letters, digits, - or _")
          .optional(),
        tags: z.array(z.string().min(1).max(100)).max(20).optional(),
      })
      .strict(),
    format: z.enum(WEBHOOK_FORMATS),
    enabled: z.boolean(),
    description: z.string().max(500).optional(),
  })
  .strict();

const expectedVersion = z.number().int().nonnegative().optional();

export const webhookEvents = {
  /** A subscription with its signing secret, sealed by the API before it left the process (never in clear). */
  "webhook.created": webhookDefinitionSchema.extend({ sealedSecret: sealedValueSchema }),
  /** The whole definition after the change. */
  "webhook.updated": webhookDefinitionSchema,
  /** A new signing secret, sealed: deliveries from now on are signed with it. */
  "webhook.secret-rotated": z.object({ sealedSecret: sealedValueSchema }),
  "webhook.deleted": z.object({}),
} as const;

export const webhookCommands = {
  "webhook.create": webhookInputSchema.extend({ sealedSecret: sealedValueSchema }).strict(),
  /** Each field given replaces its own (`events` and `filters` whole); a sealed secret given rotates it. */
  "webhook.update": z
    .object({ changes: webhookInputSchema.partial().strict(), sealedSecret: sealedValueSchema.optional(), expectedVersion })
    .strict(),
  "webhook.delete": z.object({ expectedVersion }).strict(),
} as const;

/** A subscription as the API shows it: never its secret. */
export type WebhookView = {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  filters: WebhookFilters;
  format: WebhookFormat;
  enabled: boolean;
  description: string | null;
  /** When its signing secret was last set (created or rotated). */
  secretSetAt: string;
  /** Count of its events: what If-Match names. */
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
};

/** What the webhook write routes need of the read side, beside the ReadModel. */
export interface WebhookReadModel {
  webhook(tenantId: string, id: string): Promise<WebhookView | null>;
}
