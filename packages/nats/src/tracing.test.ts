import { createCommand, eventsFromCommand } from "@loadline/core";
import { jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandBus } from "./command-bus.ts";
import { JetStreamEventStore } from "./jetstream-event-store.ts";
import { subjects } from "./namespace.ts";
import { type TestNats, testNats } from "./testing.ts";
import {
  activeTracer,
  contextOfMessage,
  currentTraceContext,
  natsHeaderGetter,
  natsHeaderSetter,
  processing,
  subjectTemplate,
  TRACEPARENT_HEADER,
  traceparentOf,
  withSpan,
} from "./tracing.ts";

/** With tracing off (no provider registered, the default): nothing is traced, nothing is added. The on path is tested end to end in loadline's tracing.test.ts. */
let env: TestNats;
beforeAll(async () => {
  env = await testNats();
});
afterAll(() => env.cleanup());

describe("the NATS header carrier", () => {
  it("reads and writes NATS headers, a header absent being no value", () => {
    const h = headers();
    natsHeaderSetter.set(h, TRACEPARENT_HEADER, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(natsHeaderGetter.get(h, TRACEPARENT_HEADER)).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(natsHeaderGetter.get(h, "tracestate")).toBeUndefined();
    expect(natsHeaderGetter.keys(h)).toEqual([TRACEPARENT_HEADER]);
  });

  it("names spans by the subject's template, not its ids", () => {
    expect(subjectTemplate("ll.cmd.acme.run.r1")).toBe("ll.cmd.{tenant}.run.{id}");
    expect(subjectTemplate("ll.cmd.acme.run.r1.w1")).toBe("ll.cmd.{tenant}.run.{id}.{sender}");
    expect(subjectTemplate("ll.evt.acme.load-test.t1")).toBe("ll.evt.{tenant}.load-test.{id}");
    expect(subjectTemplate("ll.met.acme.r1.w1")).toBe("ll.met.{tenant}.{run}.{worker}");
    expect(subjectTemplate("ll.ctl.acme.r1")).toBe("ll.ctl.{tenant}.{run}");
  });
});

describe("with tracing off", () => {
  it("has no tracer, no context to carry, and runs work as it is", async () => {
    expect(activeTracer()).toBeUndefined();
    expect(currentTraceContext()).toEqual({});
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
    expect(await withSpan("x", {}, () => 42)).toBe(42);
    const msg = {
      subject: "ll.cmd.acme.run.r1",
      get headers(): never {
        throw new Error("headers read with tracing off");
      },
    };
    const command = createCommand({
      type: "run.stop",
      tenantId: "acme",
      aggregate: { type: "run", id: "r1" },
      data: { reason: "requested" },
    });
    expect(await processing(msg, command, "command", () => "done")).toBe("done");
  });

  it("adds no trace header to a command, nor a traceparent to its envelope", async () => {
    const command = createCommand({
      type: "run.stop",
      tenantId: "acme",
      aggregate: { type: "run", id: "r-off" },
      data: { reason: "requested" },
    });
    await new CommandBus(env.nc, env.ns).dispatch(command);
    const stream = await jetstream(env.nc).streams.get(env.ns.streams.commands);
    const stored = await stream.getMessage({ last_by_subj: subjects.command(env.ns, "acme", "run", "r-off") });
    expect(stored?.header.has(TRACEPARENT_HEADER)).toBe(false);
    expect(stored?.header.has("tracestate")).toBe(false);
    expect(stored?.json<Record<string, unknown>>()).not.toHaveProperty("traceparent");
  });

  it("adds no trace header to an event appended, nor a traceparent to its envelope", async () => {
    const store = new JetStreamEventStore(env.nc, env.ns);
    const command = createCommand({
      type: "run.stop",
      tenantId: "acme",
      aggregate: { type: "run", id: "r-evt" },
      data: { reason: "requested" },
    });
    await store.append("acme", command.aggregate, eventsFromCommand(command, [{ type: "run.stopping", data: { reason: "requested" } }]), {
      expectedSeq: 0,
      ...currentTraceContext(),
    });
    const stream = await jetstream(env.nc).streams.get(env.ns.streams.events);
    const stored = await stream.getMessage({ last_by_subj: subjects.event(env.ns, "acme", "run", "r-evt") });
    expect(stored?.header.has(TRACEPARENT_HEADER)).toBe(false);
    expect(stored?.json<Record<string, unknown>>()).not.toHaveProperty("traceparent");
  });

  it("gives the root context for a message that carries none", () => {
    expect(contextOfMessage(headers(), {})).toBe(ROOT_CONTEXT);
  });
});
