import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { importCommand } from "../src/commands/import.ts";
import { schemaIssues } from "../src/import/validate.ts";

const fixture = (name: string) => new URL(`../src/import/fixtures/${name}`, import.meta.url).pathname;

describe("loadline import", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes the test file to --out, says what it wrote, exits 0", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const out = join(mkdtempSync(join(tmpdir(), "loadline-import-")), "shop.yaml");
    const code = await importCommand("postman", fixture("shop.postman_collection.json"), {
      out,
      name: "shop flow",
      targetUrl: "http://127.0.0.1:3000",
    });
    expect(code).toBe(0);
    const yaml = readFileSync(out, "utf8");
    expect(yaml).toMatch(/^# Imported by `loadline import` from the Postman collection "Shop API"\./);
    expect(yaml).toContain("name: shop flow\ntargetUrl: http://127.0.0.1:3000\n");
    expect(schemaIssues(yaml)).toEqual([]);
    expect(errors.mock.calls.join("\n")).toContain(`${out}: 6 requests in 1 scenario,`);
  });

  it("writes to stdout without --out", async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => written.push(String(chunk)) > 0);
    expect(await importCommand("openapi", fixture("petstore.openapi.yaml"), {})).toBe(0);
    expect(written.join("")).toContain("name: Petstore smoke");
  });

  it("exits 2 with a message for an unknown format, a missing file, a bad --target-url, a file of another kind", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await importCommand("curl", "x", {})).toBe(2);
    expect(await importCommand("har", undefined, {})).toBe(2);
    expect(errors.mock.calls.at(-1)![0]).toMatch(/^usage: loadline import har\|postman\|openapi FILE/);
    expect(await importCommand("har", "/nonexistent.har", {})).toBe(2);
    expect(await importCommand("har", fixture("chromium-shop.har"), { targetUrl: "ftp://x" })).toBe(2);
    expect(errors.mock.calls.at(-1)![0]).toMatch(/--target-url ftp:\/\/x: an http\(s\) URL/);
    expect(await importCommand("har", fixture("shop.postman_collection.json"), {})).toBe(2);
    expect(errors.mock.calls.at(-1)![0]).toMatch(/not a HAR recording/);
  });
});
