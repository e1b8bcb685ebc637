import { describe, expect, it } from "vitest";
import { correlate, jsonPathOf } from "./correlation.ts";
import type { DraftRequest } from "./draft.ts";

const step = (name: string, url: string, extra: Partial<DraftRequest> = {}): DraftRequest => ({
  type: "request",
  name,
  method: "GET",
  url,
  ...extra,
});

describe("correlation", () => {
  it("extracts a server-made value where it first appears and templates it where it is sent back", () => {
    const login = step("login", "/login", { method: "POST", body: { json: { user: "alice" } } });
    const me = step("me", "/me", { headers: { authorization: "Bearer eyJhbGciOi.abc.def" } });
    const item = step("item", "/items/98765?from=list", { body: { json: { ref: "item-98765-x", count: 98765 } } });
    const done = correlate([
      { step: login, responseJson: { data: { token: "eyJhbGciOi.abc.def", user: "alice" } } },
      { step: step("list", "/items"), responseJson: { items: [{ id: 98765 }] } },
      { step: me, responseJson: { user: "alice" } },
      { step: item },
    ]);
    expect(login.extract).toEqual([{ type: "jsonPath", var: "token", path: "$.data.token" }]);
    expect(me.headers).toEqual({ authorization: "Bearer {{token}}" });
    expect(item.url).toBe("/items/{{id}}?from=list");
    // In a JSON body a string takes the template, a number stays a number.
    expect(item.body).toEqual({ json: { ref: "item-{{id}}-x", count: 98765 } });
    expect(done.map((c) => c.variable)).toEqual(["token", "id"]);
  });

  it("leaves alone what the client sent first (an echoed user name) and short values", () => {
    const second = step("second", "/users/alice/ok");
    correlate([
      { step: step("login", "/login", { body: { json: { user: "alice" } } }), responseJson: { user: "alice", status: "ok" } },
      { step: second },
    ]);
    expect(second.url).toBe("/users/alice/ok");
  });

  it("writes JSON paths the schema reads", () => {
    expect(jsonPathOf(["data", 0, "id"])).toBe("$.data[0].id");
    expect(jsonPathOf(["a b", "it's"])).toBe("$['a b']['it\\'s']");
  });
});
