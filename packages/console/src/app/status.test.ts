import { describe, expect, it } from "vitest";
import { isTerminal, RUN_STATUSES } from "./types.ts";
import { STATUS_TONE } from "./ui.tsx";

describe("the run statuses", () => {
  it("each has a tone, and no tone is of a status that is not", () => {
    expect(Object.keys(STATUS_TONE).sort()).toEqual([...RUN_STATUSES].sort());
    for (const s of RUN_STATUSES) expect(["muted", "info", "warn", "ok", "bad"]).toContain(STATUS_TONE[s]);
  });

  it("shows waiting as muted and analysing as under way", () => {
    expect(STATUS_TONE.Queued).toBe("muted");
    expect(STATUS_TONE.Analyzing).toBe("info");
  });

  it("are in the lifecycle's order, the three ends last", () => {
    expect(RUN_STATUSES).toEqual(["Queued", "Pending", "Starting", "Running", "Stopping", "Analyzing", "Completed", "Failed", "Cancelled"]);
    expect(RUN_STATUSES.filter(isTerminal)).toEqual(["Completed", "Failed", "Cancelled"]);
  });
});
