import { describe, expect, it } from "vitest";
import { type CommandInit, createCommand, eventCatalog, eventsFromCommand } from "../envelope.ts";
import { DomainError } from "../errors.ts";
import { WEBHOOK_EVENT_TYPES, webhookCommands } from "../schemas/webhook.ts";
import { type WebhookState, webhookDecider } from "./webhook.ts";

const SEALED = "v1:k1:aaaa:bbbb:cccc";
const ROTATED = "v1:k1:dddd:eeee:ffff";
const input = {
  url: "https://hooks.example.com/x",
  events: ["run.completed" as const],
  filters: {},
  format: "loadline" as const,
  enabled: true,
};

type WebhookCommandType = keyof typeof webhookCommands;
const cmd = <T extends WebhookCommandType>(type: T, data: CommandInit<T>["data"]) =>
  createCommand({ type, tenantId: "default", aggregate: { type: "webhook", id: "wh-1" }, data } as CommandInit<T>);
const decide = (state: WebhookState, command: ReturnType<typeof cmd>) => webhookDecider.decide(state, command as never);
const apply = (state: WebhookState, command: ReturnType<typeof cmd>): WebhookState =>
  eventsFromCommand(command, decide(state, command)).reduce(webhookDecider.evolve, state);
const created = () => apply(webhookDecider.initialState, cmd("webhook.create", { ...input, sealedSecret: SEALED }));

const expectError = (fn: () => unknown, code: DomainError["code"], field?: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    if (field) expect((e as DomainError).field).toBe(field);
    return;
  }
  throw new Error(`expected a ${code} error`);
};

describe("webhook decider", () => {
  it("decides every webhook command of the schemas", () => {
    expect([...webhookDecider.commands].sort()).toEqual(Object.keys(webhookCommands).sort());
  });

  it("offers only event types of the catalog", () => {
    for (const type of WEBHOOK_EVENT_TYPES) expect(Object.keys(eventCatalog), type).toContain(type);
  });

  it("creates once, keeping the definition and the sealed secret apart", () => {
    const state = created();
    expect(state).toMatchObject({ status: "active", version: 1, sealedSecret: SEALED, definition: input });
    expect(state.status === "active" && "sealedSecret" in state.definition).toBe(false);
    expectError(() => decide(state, cmd("webhook.create", { ...input, sealedSecret: SEALED })), "conflict", "id");
  });

  it("updates by the fields given; no change is no event; a stale version is refused", () => {
    const state = apply(created(), cmd("webhook.update", { changes: { enabled: false, description: "off" } }));
    expect(state).toMatchObject({ version: 2, definition: { ...input, enabled: false, description: "off" } });
    expect(decide(state, cmd("webhook.update", { changes: { enabled: false } }))).toEqual([]);
    expectError(() => decide(state, cmd("webhook.update", { changes: {}, expectedVersion: 1 })), "precondition_failed", "If-Match");
  });

  it("rotates the secret with or without a change of the definition", () => {
    const rotated = decide(created(), cmd("webhook.update", { changes: {}, sealedSecret: ROTATED }));
    expect(rotated).toEqual([{ type: "webhook.secret-rotated", data: { sealedSecret: ROTATED } }]);
    const both = apply(created(), cmd("webhook.update", { changes: { format: "slack" }, sealedSecret: ROTATED }));
    expect(both).toMatchObject({ version: 3, sealedSecret: ROTATED, definition: { format: "slack" } });
  });

  it("deletes once; a deleted or unknown webhook is not found", () => {
    const deleted = apply(created(), cmd("webhook.delete", {}));
    expect(deleted.status).toBe("deleted");
    expectError(() => decide(deleted, cmd("webhook.delete", {})), "not_found");
    expectError(() => decide(deleted, cmd("webhook.update", { changes: {} })), "not_found");
    expectError(() => decide(webhookDecider.initialState, cmd("webhook.delete", {})), "not_found");
  });

  it("refuses unknown event types and secrets not sealed at the schema", () => {
    const create = webhookCommands["webhook.create"];
    expect(create.safeParse({ ...input, sealedSecret: SEALED }).success).toBe(true);
    expect(create.safeParse({ ...input, events: ["run.created"], sealedSecret: SEALED }).success).toBe(false);
    expect(create.safeParse({ ...input, sealedSecret: "whsec_plain" }).success).toBe(false);
    expect(create.safeParse({ ...input, url: "ftp://x", sealedSecret: SEALED }).success).toBe(false);
  });
});
