import { describe, expect, it } from "vitest";
import { applyRun, runsPath } from "./live-runs.ts";
import type { Page, RunView } from "./types.ts";

const run = (id: string, createdAt: string, over: Partial<RunView> = {}): RunView =>
  ({ id, loadTestId: "t1", status: "Running", createdAt, version: 1, ...over }) as RunView;
const page = (items: RunView[], total = items.length): Page<RunView> => ({ items, total, limit: 3, offset: 0 });
const ids = (p: Page<RunView>) => p.items.map((r) => r.id);

describe("a run list kept by push", () => {
  const q = { limit: 3 };
  const list = page([run("c", "2026-01-03"), run("b", "2026-01-02"), run("a", "2026-01-01")], 5);

  it("replaces a run by id when its version is higher, never with an older state", () => {
    const newer = applyRun(list, run("b", "2026-01-02", { status: "Completed", version: 3 }), q);
    expect(newer.items[1]!.status).toBe("Completed");
    expect(applyRun(newer, run("b", "2026-01-02", { status: "Running", version: 2 }), q)).toBe(newer);
  });

  it("takes a new run at the top of the first page, keeping the page's length", () => {
    const next = applyRun(list, run("d", "2026-01-04"), q);
    expect(ids(next)).toEqual(["d", "c", "b"]);
    expect(next.total).toBe(6);
  });

  it("leaves out a run older than the page, and a run the filter does not take", () => {
    expect(applyRun(list, run("z", "2025-12-01", { version: 9 }), q)).toBe(list);
    expect(applyRun(list, run("d", "2026-01-04"), { ...q, loadTestId: "t2" })).toBe(list);
  });

  it("drops a run that no longer matches the status filter", () => {
    const running = { ...q, status: "Running" as const };
    const next = applyRun(list, run("c", "2026-01-03", { status: "Completed", version: 2 }), running);
    expect(ids(next)).toEqual(["b", "a"]);
    expect(next.total).toBe(4);
  });

  it("on a later page, counts a new run but does not shift the page", () => {
    const later = { ...list, offset: 3 };
    const next = applyRun(later, run("d", "2026-01-04"), { ...q, offset: 3 });
    expect(ids(next)).toEqual(["c", "b", "a"]);
    expect(next.total).toBe(6);
  });

  it("reads the list with the filters it follows", () => {
    expect(runsPath({ status: "Running", loadTestId: "", limit: 50 })).toBe("/v1/runs?status=Running&limit=50&offset=0");
  });
});
