import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AgentConfigError, loadAgentConfig, parseAgentConfig, parseLabelList, readAgentConfigFile } from "./load.ts";

const EXAMPLE = fileURLToPath(new URL("../../../../infra/agent/agent.example.yaml", import.meta.url));

describe("the agent config file", () => {
  it("parses the example, with its defaults filled in", () => {
    const c = readAgentConfigFile(EXAMPLE);
    expect(c.agentId).toBe("web-1");
    expect(c.labels).toMatchObject({ service: "api", environment: "staging" });
    expect(c.actions.map((a) => a.name)).toEqual(["restart-api", "clear-cache", "set-feature-flag"]);
    expect(c.actions[0]!.maxOutputBytes).toBe(64 * 1024);
    expect(c.actions[2]!.params.value).toEqual({ type: "enum", values: ["on", "off"], required: true });
    expect(c.processes.map((p) => Object.keys(p.match)[0])).toEqual(["pidFile", "comm", "cgroup"]);
    expect(c.sources.prometheus?.series).toHaveLength(3);
    expect(c.sources.nginx?.timeoutMs).toBe(2000);
  });

  it("reads JSON by its extension, and refuses other extensions", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-config-"));
    writeFileSync(join(dir, "a.json"), JSON.stringify({ agentId: "j1", intervalMs: 500 }));
    expect(readAgentConfigFile(join(dir, "a.json"))).toMatchObject({ agentId: "j1", intervalMs: 500, actions: [], processes: [] });
    writeFileSync(join(dir, "a.toml"), "x = 1");
    expect(() => readAgentConfigFile(join(dir, "a.toml"))).toThrow(/\.yaml, \.yml or \.json/);
    writeFileSync(join(dir, "bad.yaml"), "actions: [\n");
    expect(() => readAgentConfigFile(join(dir, "bad.yaml"))).toThrow(/not valid YAML/);
  });

  const errorOf = (raw: unknown): string => {
    try {
      parseAgentConfig(raw);
    } catch (err) {
      expect(err).toBeInstanceOf(AgentConfigError);
      return (err as Error).message;
    }
    throw new Error("it was accepted");
  };

  it("names the field of every error", () => {
    const message = errorOf({
      intervalMs: 10,
      processes: [{ name: "x", match: { comm: "a", pidFile: "/b" } }],
      sources: { prometheus: { url: "ftp://x", series: ["9bad"] } },
      actions: [{ name: "Bad Name", command: [], timeoutSec: 99999 }],
      extra: true,
    });
    for (const field of [
      "intervalMs:",
      "processes[0].match:",
      "sources.prometheus.url:",
      "sources.prometheus.series[0]:",
      "actions[0].name:",
      "actions[0].command:",
      "actions[0].timeoutSec:",
    ]) {
      expect(message).toContain(field);
    }
    expect(message).toMatch(/extra/);
  });

  it("refuses a placeholder in the program, one naming no parameter, a misspelt spec, a bad pattern, a name used twice", () => {
    const action = { name: "a", timeoutSec: 5 };
    expect(errorOf({ actions: [{ ...action, command: ["{{p}}"], params: { p: { type: "string" } } }] })).toContain(
      "actions[0].command[0]: the program",
    );
    expect(errorOf({ actions: [{ ...action, command: ["/bin/echo", "--x={{q}}"] }] })).toContain(
      "actions[0].command[1]: {{q}} names no parameter",
    );
    expect(errorOf({ actions: [{ ...action, command: ["/bin/echo"], params: { p: { type: "string", maxLenght: 3 } } }] })).toContain(
      "actions[0].params.p",
    );
    expect(errorOf({ actions: [{ ...action, command: ["/bin/echo"], params: { p: { type: "string", pattern: "(" } } }] })).toContain(
      "actions[0].params.p.pattern: not a valid regular expression",
    );
    expect(
      errorOf({
        actions: [
          { ...action, command: ["/bin/true"] },
          { ...action, command: ["/bin/false"] },
        ],
      }),
    ).toContain("actions[1].name: a is named twice");
  });

  it("takes LL_AGENT_ID, LL_AGENT_TENANT and LL_AGENT_LABELS over the file", () => {
    const c = loadAgentConfig({
      LL_AGENT_CONFIG: EXAMPLE,
      LL_AGENT_ID: "web-2",
      LL_AGENT_TENANT: "acme",
      LL_AGENT_LABELS: "host=web-2, zone=a",
    });
    expect(c).toMatchObject({
      agentId: "web-2",
      tenant: "acme",
      labels: { service: "api", host: "web-2", zone: "a", environment: "staging" },
    });
    const plain = loadAgentConfig({}, { labels: { service: "demo-target" } });
    expect(plain).toMatchObject({ tenant: "default", labels: { service: "demo-target" }, actions: [], intervalMs: 1000 });
    expect(plain.agentId).toMatch(/^a-[A-Za-z0-9_-]+$/);
    expect(() => loadAgentConfig({ LL_AGENT_ID: "has.dot" })).toThrow(/agentId/);
    expect(() => parseLabelList("novalue")).toThrow(/LL_AGENT_LABELS/);
  });
});
