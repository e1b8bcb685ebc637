// Windows for the run series' tests (not a test file itself).
import type { RequestWindow } from "@loadline/core";
import type { TenantWindow } from "../rollups.ts";
import { requestWindow } from "../test-fixtures.ts";

/** A request of a window: its latencies (µs), failures by kind and status codes. */
export function request(
  name: string,
  latenciesUs: readonly number[],
  more: { failuresByKind?: Record<string, number>; statusCodes?: Record<string, number>; method?: string; interrupted?: number } = {},
): RequestWindow {
  const failures = Object.values(more.failuresByKind ?? {}).reduce((a, b) => a + b, 0);
  return {
    ...requestWindow(name, latenciesUs, failures, more.method ?? "GET"),
    ...(more.failuresByKind ? { failuresByKind: more.failuresByKind } : {}),
    ...(more.statusCodes ? { statusCodes: more.statusCodes } : {}),
    ...(more.interrupted ? { interrupted: more.interrupted } : {}),
  };
}

export const window = (over: Partial<TenantWindow> & Pick<TenantWindow, "second">): TenantWindow => ({
  tenantId: "acme",
  runId: "r1",
  workerId: "w1",
  activeUsers: 3,
  requests: [],
  ...over,
});
