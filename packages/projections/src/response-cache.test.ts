import { describe, expect, it } from "vitest";
import { etagMatches, ResponseCache, strongEtag } from "./response-cache.ts";

describe("ResponseCache", () => {
  it("drops the least recently used past its count", () => {
    const c = new ResponseCache(2, 1_000);
    c.set("a", { body: "1", etag: '"a"' });
    c.set("b", { body: "2", etag: '"b"' });
    c.get("a");
    c.set("c", { body: "3", etag: '"c"' });
    expect([c.get("a")?.body, c.get("b"), c.get("c")?.body]).toEqual(["1", undefined, "3"]);
  });

  it("stays within its bytes, and keeps no body over a tenth of them", () => {
    const c = new ResponseCache(100, 100);
    for (let i = 0; i < 20; i++) c.set(`k${i}`, { body: "x".repeat(10), etag: `"${i}"` });
    expect(c.size).toBe(10);
    c.set("big", { body: "x".repeat(11), etag: '"big"' });
    expect(c.get("big")).toBeUndefined();
  });
});

describe("ETags", () => {
  it("are strong, stable, and matched in a list or weakly", () => {
    const tag = strongEtag('{"a":1}');
    expect(tag).toBe(strongEtag('{"a":1}'));
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(etagMatches(`"x", ${tag}`, tag)).toBe(true);
    expect(etagMatches(`W/${tag}`, tag)).toBe(true);
    expect(etagMatches("*", tag)).toBe(true);
    expect(etagMatches('"other"', tag)).toBe(false);
    expect(etagMatches(undefined, tag)).toBe(false);
  });
});
