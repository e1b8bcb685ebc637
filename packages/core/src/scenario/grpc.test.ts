import { describe, expect, it } from "vitest";
import { specTargetRefusal } from "../access/target-check.ts";
import { loadTestInputSchema } from "../schemas/load-test.ts";
import { firstIssue } from "../validation.ts";
import { grpcAddressOf, grpcStepRowNames, parseGrpcTarget } from "./grpc.ts";
import { secretReferences } from "./secrets.ts";
import { streamStepRowNames } from "./streams.ts";

const PROTO = 'syntax = "proto3"; package demo; service Echo { rpc Say (M) returns (M); } message M { string text = 1; }';
const base = { name: "s", targetUrl: "http://127.0.0.1:1", defaultUsers: 1, defaultSpawnRate: 1, defaultDurationSec: 1 };
const withSteps = (steps: object[]) => ({ ...base, scenarios: [{ name: "rpc", steps }] });
const grpc = (over: object = {}) => ({
  type: "grpc",
  target: "127.0.0.1:50051",
  proto: PROTO,
  service: "demo.Echo",
  method: "Say",
  ...over,
});

function verdict(spec: unknown): { field: string | undefined; message: string } | "ok" {
  const r = loadTestInputSchema.safeParse(spec);
  return r.success ? "ok" : firstIssue(r.error);
}

describe("grpc steps validate, naming the field", () => {
  it("takes a unary call with templated message and metadata, status and message checks, an extraction used later", () => {
    const spec = withSteps([
      grpc({
        name: "say",
        message: { text: "hi {{__vu}}", nested: { list: ["{{__iteration}}"] } },
        metadata: { "x-user": "u{{__vu}}", authorization: "Bearer {{secrets.TOKEN}}" },
        deadlineMs: 500,
        checks: [
          { type: "status", in: ["OK", "not_found", 14] },
          { type: "jsonPath", path: "$.text", exists: true },
          { type: "regex", pattern: "^\\{" },
        ],
        extract: [{ type: "jsonPath", var: "said", path: "$.text" }],
      }),
      grpc({ target: "grpcs://rpc.example.com:443", stream: { count: 3 }, message: { text: "{{said}}" } }),
      { type: "request", url: "/echo?said={{said}}" },
    ]);
    expect(verdict(spec)).toBe("ok");
    const parsed = loadTestInputSchema.parse(spec);
    const step = parsed.scenarios![0]!.steps[0]!;
    expect(step.type === "grpc" && step.checks[0]).toEqual({ type: "status", in: [0, 5, 14] });
    expect(secretReferences(parsed)).toEqual(["TOKEN"]);
  });

  const refused: [string, object, string, RegExp][] = [
    ["a step without a proto", withSteps([{ ...grpc(), proto: undefined }]), "scenarios.0.steps.0.proto", /./],
    ["a target that is no host:port", withSteps([grpc({ target: "http://x/" })]), "scenarios.0.steps.0.target", /host:port/],
    ["both a target and a port", withSteps([grpc({ port: 50051 })]), "scenarios.0.steps.0.port", /not both/],
    [
      "a proto importing a file",
      withSteps([grpc({ proto: `import "../../etc/passwd"; ${PROTO}` })]),
      "scenarios.0.steps.0.proto",
      /google\/protobuf/,
    ],
    ["a service that is no proto name", withSteps([grpc({ service: "demo/Echo" })]), "scenarios.0.steps.0.service", /proto name/],
    [
      "an unknown status name",
      withSteps([grpc({ checks: [{ type: "status", in: ["FINE"] }] })]),
      "scenarios.0.steps.0.checks.0.in.0",
      /OK, CANCELLED/,
    ],
    [
      "a status check on a stream",
      withSteps([grpc({ stream: {}, checks: [{ type: "status", in: ["OK"] }] })]),
      "scenarios.0.steps.0.checks.0",
      /unary/,
    ],
    [
      "a check kind gRPC has not",
      withSteps([grpc({ checks: [{ type: "header", name: "x", matches: "y" }] })]),
      "scenarios.0.steps.0.checks.0.type",
      /status, jsonPath/,
    ],
    ["upper-case metadata keys", withSteps([grpc({ metadata: { "X-User": "u" } })]), "scenarios.0.steps.0.metadata.X-User", /lower-case/],
    [
      "a credential typed into metadata",
      withSteps([grpc({ metadata: { authorization: "Bearer abc" } })]),
      "scenarios.0.steps.0.metadata.authorization",
      /credential/,
    ],
    [
      "an unknown variable in the message",
      withSteps([grpc({ message: { text: "{{nope}}" } })]),
      "scenarios.0.steps.0.message.text",
      /unknown variable \{\{nope\}\}/,
    ],
    [
      "a secret written by an extraction",
      withSteps([grpc({ extract: [{ type: "jsonPath", var: "secrets.X", path: "$.text" }] })]),
      "scenarios.0.steps.0.extract.0.var",
      /secret/,
    ],
    ["an unknown step type", withSteps([{ type: "graphql" }]), "scenarios.0.steps.0.type", /request, think, ws, sse or grpc/],
  ];
  it.each(refused)("refuses %s", (_, spec, field, message) => {
    const v = verdict(spec);
    expect(v).not.toBe("ok");
    if (v === "ok") return;
    expect(v.field).toBe(field);
    expect(v.message).toMatch(message);
  });
});

describe("grpc addresses and rows", () => {
  it("reads a target, or takes the targetUrl's host with the step's port", () => {
    expect(parseGrpcTarget("grpcs://API.example.com:8443")).toEqual({ host: "api.example.com", port: 8443, tls: true });
    expect(parseGrpcTarget("[::1]:50051")).toEqual({ host: "[::1]", port: 50051, tls: false });
    expect(parseGrpcTarget("x:70000")).toHaveProperty("error");
    expect(grpcAddressOf({ port: 50051 }, "https://api.example.com")).toEqual({ host: "api.example.com", port: 50051, tls: true });
    expect(grpcAddressOf({}, "http://127.0.0.1:9000/base")).toEqual({ host: "127.0.0.1", port: 9000, tls: false });
  });

  it("names a unary call's row, and a stream's first and next rows", () => {
    const spec = loadTestInputSchema.parse(withSteps([grpc(), grpc({ name: "ticks", stream: {} })]));
    const [unary, stream] = spec.scenarios![0]!.steps;
    expect(unary!.type === "grpc" && grpcStepRowNames(unary!)).toEqual(["gRPC demo.Echo/Say"]);
    expect(stream!.type === "grpc" && streamStepRowNames(stream!)).toEqual(["gRPC first ticks", "gRPC next ticks"]);
  });

  it("holds a grpc target to the tenant's allow-list, naming the field", () => {
    const spec = loadTestInputSchema.parse({
      ...withSteps([grpc({ target: "grpc://10.0.0.5:50051" })]),
      targetUrl: "http://api.example.com",
    });
    const policy = { allow: ["api.example.com"], loopback: false, privateNetworks: false };
    expect(specTargetRefusal(spec, policy)).toEqual({ field: "scenarios.0.steps.0.target", message: expect.stringMatching(/10\.0\.0\.5/) });
    expect(specTargetRefusal({ ...spec, scenarios: [{ steps: [{ type: "grpc" }] }] }, policy)).toBeNull();
  });
});
