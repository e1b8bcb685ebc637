import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DraftRequest } from "./draft.ts";
import { importOpenApi } from "./openapi.ts";
import { schemaIssues } from "./validate.ts";
import { toYaml } from "./yaml-writer.ts";

const ownApi = readFileSync(new URL("../../../../docs/openapi.json", import.meta.url), "utf8");
const petstore = readFileSync(new URL("./fixtures/petstore.openapi.yaml", import.meta.url), "utf8");
const stepsOf = (r: Awaited<ReturnType<typeof importOpenApi>>) => r.test.scenarios.flatMap((s) => s.steps as DraftRequest[]);

describe("importing an OpenAPI description", () => {
  it("makes a smoke test of Loadline's own API: a step per operation, a scenario per tag, checks of the 2xx, the key as a secret", async () => {
    const doc = JSON.parse(ownApi) as { paths: Record<string, Record<string, { operationId: string }>> };
    const operations = Object.values(doc.paths)
      .flatMap((item) => Object.values(item).map((op) => op.operationId))
      .filter(Boolean);
    const result = await importOpenApi(ownApi, { targetUrl: "http://127.0.0.1:8080" });
    expect(schemaIssues(toYaml(result))).toEqual([]);
    const steps = stepsOf(result);
    expect(steps.map((s) => s.name).sort()).toEqual([...operations].sort());
    expect(result.test.scenarios.map((s) => s.name)).toContain("Load tests");
    const create = steps.find((s) => s.name === "createLoadTest")!;
    expect(create).toMatchObject({ method: "POST", url: "/v1/load-tests", checks: [{ type: "status", in: [201] }] });
    expect(create.headers).toEqual({ authorization: "Bearer {{secrets.API_TOKEN}}" });
    expect(steps.find((s) => s.name === "getLoadTest")!.url).toMatch(/^\/v1\/load-tests\/[^{}/]+$/);
  });

  it("needs --target-url when the description names no absolute server", async () => {
    await expect(importOpenApi(ownApi)).rejects.toThrow(/give --target-url/);
  });

  it("imports a 3.0 petstore: server variables, path parameters from examples, body examples, enums, security", async () => {
    const result = await importOpenApi(petstore);
    expect(schemaIssues(toYaml(result))).toEqual([]);
    expect(result.test.targetUrl).toBe("https://eu.petstore.example.com");
    expect(result.test.scenarios.map((s) => s.name)).toEqual(["pets", "store", "untagged"]);
    const byName = Object.fromEntries(stepsOf(result).map((s) => [s.name, s]));
    expect(byName.listPets!.url).toBe("/v2/pets?status=available");
    expect(byName.getPet!.url).toBe("/v2/pets/3f2a5c1e-0000-4000-8000-000000000042");
    expect(byName.createPet!.body).toEqual({
      json: { name: "Rex", tag: "stringxx", born: "2024-01-01", owner: { email: "user@example.com" } },
    });
    expect(byName.placeOrder!.body).toEqual({ json: { petId: 42, quantity: 1 } });
    expect(byName.listPets!.headers).toEqual({ "x-api-key": "{{secrets.X_API_KEY}}" });
    expect(byName.deletePet!.headers).toEqual({ authorization: "Bearer {{secrets.API_TOKEN}}" });
    expect(byName.deletePet!.checks).toEqual([{ type: "status", in: [204] }]);
    expect(byName.health!.headers).toBeUndefined();
    expect(byName.health!.checks).toBeUndefined();
    expect(result.notes.secrets).toEqual(["API_TOKEN", "X_API_KEY"]);
  });

  it("refuses Swagger 2 and what is no description", async () => {
    await expect(importOpenApi(JSON.stringify({ swagger: "2.0", paths: {} }))).rejects.toThrow(/not Swagger 2\.0/);
    await expect(importOpenApi("name: x")).rejects.toThrow(/not an OpenAPI description/);
  });
});
