import { type EventStore, newId } from "@loadline/core";
import { JetStreamEventStore } from "@loadline/nats";
import { type TestNats, testNats } from "@loadline/nats/testing";
import { createLogger, devAccess, serviceApp } from "@loadline/service";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { Hono } from "hono";
import { afterAll, beforeAll, expect } from "vitest";
import { Projections } from "./service.ts";
import { appendEvents, runCreated } from "./test-fixtures.ts";
import { type TestDatabase, testDatabase } from "./testing.ts";

const log = createLogger("projections-test", process.env.TEST_LOG_LEVEL ?? "silent");

/** The Projections service of one test file, and what its tests ask it with (see testProjections). */
/** Routes as a service mounts them, in dev mode (X-Tenant-Id is the caller's tenant): for tests of the read side alone. */
export const served = (routes: Hono): Hono => serviceApp({ log, access: devAccess() }, routes);

export class TestProjections {
  env!: TestNats;
  pg!: TestDatabase;
  js!: JetStreamClient;
  store!: EventStore;
  /** The service running; a test that restarts it sets it again. */
  projections!: Projections;
  private tenants = 0;

  readonly start = (url = this.pg.url) => Projections.start({ nc: this.env.nc, ns: this.env.ns, database: { url }, log });

  readonly newTenant = () => `acme${++this.tenants}`;

  /** The service's routes as the API mounts them, in dev mode: X-Tenant-Id is the caller's tenant. */
  readonly app = () => served(this.projections.routes);

  readonly get = async <T>(path: string, tenant: string): Promise<{ status: number; body: T; etag: string | null }> => {
    const res = await this.app().request(path, { headers: { "X-Tenant-Id": tenant } });
    return { status: res.status, body: (await res.json()) as T, etag: res.headers.get("etag") };
  };

  readonly applied = async (seq: number): Promise<void> => {
    expect(await this.projections.readModel.waitForEvents(seq, 5000)).toBe(true);
  };

  /** A new tenant with a run created, applied by the events projection. */
  readonly createdRun = async (loadTestId: string): Promise<{ tenant: string; runId: string }> => {
    const tenant = this.newTenant();
    const runId = newId();
    await this.applied(await appendEvents(this.store, tenant, { type: "run", id: runId }, [runCreated(loadTestId)]));
    return { tenant, runId };
  };
}

/**
 * Projections on a NATS namespace and a database of their own, for the test file that calls this:
 * started before its tests, stopped (and both dropped) after them.
 */
export function testProjections(): TestProjections {
  const t = new TestProjections();
  beforeAll(async () => {
    [t.env, t.pg] = await Promise.all([testNats(), testDatabase()]);
    t.js = jetstream(t.env.nc);
    t.store = new JetStreamEventStore(t.env.nc, t.env.ns);
    t.projections = await t.start();
  });
  afterAll(async () => {
    await t.projections?.stop();
    await t.env?.cleanup();
    await t.pg?.drop();
  });
  return t;
}
