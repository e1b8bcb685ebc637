import { describe, expect, it } from "vitest";
import { MessageInspection, messageView } from "./message-inspection.ts";
import { VariableTable } from "./variables.ts";
import { webSocketUrl } from "./ws-step.ts";

describe("MessageInspection", () => {
  const table = new VariableTable();
  const inspection = new MessageInspection(
    [
      { type: "jsonPath", path: "$.type", equals: "pong" },
      { type: "regex", pattern: '"id":\\s*\\d+' },
      { type: "bodyContains", value: "pong" },
    ],
    [
      { type: "jsonPath", var: "id", path: "$.id" },
      { type: "regex", var: "missing", pattern: "nothing-(\\d+)", group: 1 },
    ],
    table,
  );

  it("counts each check and extraction as one, and says how many checks a message fails", () => {
    expect(inspection.count).toBe(5);
    expect(inspection.failedChecks(messageView('{"type":"pong","id": 7}', 101, 1))).toBe(0);
    expect(inspection.failedChecks(messageView('{"type":"ping","id":"x"}', 101, 1))).toBe(3);
    expect(inspection.failedChecks(messageView("not json", 101, 1))).toBe(3);
  });

  it("extracts into the variables, counting what it did not find (the variable keeps its value)", () => {
    const values = new Array<string>(table.size).fill("");
    values[table.slot("missing")] = "kept";
    expect(inspection.extract(messageView('{"type":"pong","id":7}', 101, 1), values)).toBe(1);
    expect(values[table.slot("id")]).toBe("7");
    expect(values[table.slot("missing")]).toBe("kept");
  });
});

describe("webSocketUrl", () => {
  it("turns an http(s) origin into ws(s), keeping the path and query", () => {
    expect(webSocketUrl("http://127.0.0.1:8080", "/ws/echo?room=1")).toBe("ws://127.0.0.1:8080/ws/echo?room=1");
    expect(webSocketUrl("https://example.test", "/chat")).toBe("wss://example.test/chat");
  });
});
