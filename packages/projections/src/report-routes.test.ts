import { createLogger, devAccess, serviceApp } from "@loadline/service";
import { describe, expect, it } from "vitest";
import type { PgReadModel } from "./read-model.ts";
import { reportRoutes } from "./report-routes.ts";

/** A read model whose every query fails the test: what is refused at the door never reaches Postgres. */
const untouchable = new Proxy(
  {},
  {
    get: (_, name) => () => {
      throw new Error(`the read model was queried (${String(name)})`);
    },
  },
) as PgReadModel;
const log = createLogger("test", "silent");
const app = serviceApp({ log, access: devAccess() }, reportRoutes({ readModel: untouchable, log }));

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, ...((await res.json()) as { error: { code: string; field?: string } }).error };
}

describe("the report route: bad input is refused before any query", () => {
  const cases: [string, number, string][] = [
    ["/v1/runs/%00/report", 404, "id"],
    ["/v1/runs/not.an.id/report?format=json", 404, "id"],
    ["/v1/runs/r1/report?format=docx", 400, "format"],
    ["/v1/runs/r1/report?format=%00", 400, "format"],
    ["/v1/runs/r1/report?format=csv&table=both", 400, "table"],
    ["/v1/runs/r1/report?minSeq=x", 400, "minSeq"],
  ];
  for (const [path, status, field] of cases) {
    it(`${path} -> ${status} naming ${field}`, async () => {
      expect(await get(path)).toMatchObject({ status, field });
    });
  }

  it("answers 501 naming format for a PDF when no printer was given", async () => {
    expect(await get("/v1/runs/r1/report?format=pdf")).toMatchObject({ status: 501, code: "not_implemented", field: "format" });
  });
});
