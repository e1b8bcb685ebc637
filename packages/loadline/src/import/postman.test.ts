import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DraftRequest } from "./draft.ts";
import { importPostman } from "./postman.ts";
import { schemaIssues } from "./validate.ts";
import { toYaml } from "./yaml-writer.ts";

const collection = readFileSync(new URL("./fixtures/shop.postman_collection.json", import.meta.url), "utf8");

describe("importing a Postman collection", () => {
  const result = importPostman(collection);
  const steps = result.test.scenarios[0]!.steps as DraftRequest[];
  const byName = Object.fromEntries(steps.map((s) => [s.name, s]));

  it("makes a file the schema takes: the requests in the runner's order, named by folder", () => {
    expect(schemaIssues(toYaml(result))).toEqual([]);
    expect(steps.map((s) => s.name)).toEqual([
      "Auth / Sign in",
      "Catalogue / List products",
      "Catalogue / Get product",
      "Orders / Place order",
      "Orders / Upload invoice",
      "Health",
    ]);
  });

  it("makes the base URL the targetUrl and the other collection variables scenario variables", () => {
    expect(result.test.targetUrl).toBe("https://shop.example.com");
    expect(result.test.scenarios[0]!.variables).toEqual({ username: "alice", pageSize: "20", productId: "p-100" });
    expect(byName["Catalogue / List products"]!.url).toBe("/api/products?page=1&size={{pageSize}}");
    expect(byName["Catalogue / Get product"]!.url).toBe("/api/products/{{productId}}");
    expect(byName.Health!.url).toBe("https://status.example.com/health");
    expect(importPostman(collection, { targetUrl: "http://127.0.0.1:3000" }).test.targetUrl).toBe("http://127.0.0.1:3000");
  });

  it("turns auth (inherited as Postman does) into headers, credentials into secrets", () => {
    expect(byName["Auth / Sign in"]!.headers).toEqual({ accept: "application/json" });
    expect(byName["Auth / Sign in"]!.body).toEqual({ json: { user: "{{username}}", password: "{{secrets.PASSWORD}}" } });
    expect(byName["Catalogue / List products"]!.headers?.authorization).toBe("Basic {{secrets.BASIC_AUTH}}");
    expect(byName["Orders / Place order"]!.headers).toEqual({ authorization: "Bearer {{secrets.SESSION_TOKEN}}" });
    expect(byName.Health!.headers).toEqual({ "x-api-key": "{{secrets.X_API_KEY}}" });
    expect(result.notes.secrets).toEqual(["BASIC_AUTH (base64 of username:password)", "PASSWORD", "SESSION_TOKEN", "X_API_KEY"]);
  });

  it("keeps raw JSON bodies and saved statuses, maps $guid, and says what it left out", () => {
    expect(byName["Orders / Place order"]!.body).toEqual({ json: { productId: "{{productId}}", qty: 2, ref: "{{__uuid}}" } });
    expect(byName["Orders / Place order"]!.checks).toEqual([{ type: "status", in: [201] }]);
    const leftOut = result.notes.leftOut.join("\n");
    expect(leftOut).toContain('the formdata body of "Upload invoice"');
    expect(leftOut).toMatch(/2 pre-request or test scripts \(pm\.test, pm\.environment\.set/);
  });

  it("refuses what is not a v2 collection", () => {
    expect(() => importPostman(JSON.stringify({ info: { schema: "https://schema.getpostman.com/json/collection/v1.0.0/" } }))).toThrow(
      /v2\.1/,
    );
  });
});
