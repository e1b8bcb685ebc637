import { DomainError } from "../errors.ts";
import type { WebhookDefinition } from "../schemas/webhook.ts";
import type { Decider } from "./decider.ts";

export type WebhookState =
  | { status: "none"; version: 0 }
  | { status: "active" | "deleted"; version: number; definition: WebhookDefinition; sealedSecret: string };

type WebhookCommand = "webhook.create" | "webhook.update" | "webhook.delete";

type Existing = Extract<WebhookState, { status: "active" | "deleted" }>;

function requireActive(state: WebhookState): asserts state is Existing & { status: "active" } {
  if (state.status !== "active") throw new DomainError("not_found", "webhook not found");
}

function assertVersion(state: Existing, expected: number | undefined): void {
  if (expected !== undefined && expected !== state.version)
    throw new DomainError("precondition_failed", `version is ${state.version}, not ${expected}`, "If-Match");
}

/** Absent optional fields are left out, so that a change that sets nothing compares equal. */
function normalised(d: WebhookDefinition): WebhookDefinition {
  const { description, filters, ...rest } = d;
  const f = {
    ...(filters.loadTestId !== undefined ? { loadTestId: filters.loadTestId } : {}),
    ...(filters.tags !== undefined ? { tags: filters.tags } : {}),
  };
  return { ...rest, filters: f, ...(description !== undefined ? { description } : {}) };
}

/**
 * A tenant's webhook subscription. Where its URL may point is checked by the orchestrator against
 * the tenant's allow-list before it is decided (as a load test's targets are); the decider keeps
 * the definition and the sealed signing secret, which only ever arrives sealed.
 */
export const webhookDecider: Decider<WebhookState, WebhookCommand> = {
  commands: ["webhook.create", "webhook.update", "webhook.delete"],
  initialState: { status: "none", version: 0 },

  decide(state, command) {
    switch (command.type) {
      case "webhook.create": {
        if (state.status !== "none") throw new DomainError("conflict", "webhook already exists", "id");
        const { sealedSecret, ...definition } = command.data;
        return [{ type: "webhook.created", data: { ...normalised(definition), sealedSecret } }];
      }
      case "webhook.update": {
        requireActive(state);
        assertVersion(state, command.data.expectedVersion);
        const definition = normalised({ ...state.definition, ...command.data.changes });
        const changed = JSON.stringify(definition) !== JSON.stringify(state.definition);
        const { sealedSecret } = command.data;
        return [
          ...(changed ? [{ type: "webhook.updated" as const, data: definition }] : []),
          ...(sealedSecret !== undefined ? [{ type: "webhook.secret-rotated" as const, data: { sealedSecret } }] : []),
        ];
      }
      case "webhook.delete":
        requireActive(state);
        assertVersion(state, command.data.expectedVersion);
        return [{ type: "webhook.deleted", data: {} }];
    }
  },

  evolve(state, event) {
    if (event.type === "webhook.created") {
      const { sealedSecret, ...definition } = event.data;
      return { status: "active", version: state.version + 1, definition, sealedSecret };
    }
    if (state.status === "none") return state;
    switch (event.type) {
      case "webhook.updated":
        return { ...state, version: state.version + 1, definition: event.data };
      case "webhook.secret-rotated":
        return { ...state, version: state.version + 1, sealedSecret: event.data.sealedSecret };
      case "webhook.deleted":
        return { ...state, version: state.version + 1, status: "deleted" };
      default:
        return state;
    }
  },
};
