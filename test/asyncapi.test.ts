import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { eventAsyncApi, eventCatalog } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const file = readFileSync(new URL("../docs/asyncapi.yaml", import.meta.url), "utf8");

describe("docs/asyncapi.yaml", () => {
  it("is what the catalog generates (regenerate with npm run docs:events)", () => {
    expect(parse(file)).toEqual(eventAsyncApi());
  });

  it("is a valid AsyncAPI 3 document by @asyncapi/parser, with every event type as a message on its channel", async () => {
    const { document, diagnostics } = await new Parser().parse(file);
    // Severity 0 is an error; warnings and hints (e.g. a missing license) do not make a document invalid.
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe("3.0.0");
    const messages = document!
      .allMessages()
      .all()
      .map((m) => m.id());
    expect(messages).toEqual(expect.arrayContaining(Object.keys(eventCatalog)));
    const runChannel = document!
      .channels()
      .all()
      .find((c) => c.address() === "{ns}.evt.{tenant}.run.{runId}");
    expect(
      runChannel
        ?.messages()
        .all()
        .map((m) => m.id()),
    ).toEqual(expect.arrayContaining(["run.started", "run.completed"]));
    expect(
      document!
        .channels()
        .all()
        .find((c) => c.address() === "{ns}.evt._fleet.worker.{workerId}"),
    ).toBeDefined();
    expect(
      document!
        .operations()
        .all()
        .every((o) => o.action() === "receive"),
    ).toBe(true);
  });

  it("rejects a document that breaks the spec: the parser is not lenient", async () => {
    const broken = eventAsyncApi() as { operations: Record<string, { action: string }> };
    Object.values(broken.operations)[0]!.action = "listen";
    const { diagnostics } = await new Parser().parse(JSON.stringify(broken));
    expect(diagnostics.some((d) => d.severity === 0)).toBe(true);
  });
});
