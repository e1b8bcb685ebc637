import { describe, expect, it } from "vitest";
import { BUILTIN_SLOT, CompositeBuilder, compileText, renderComposite, renderText, VariableTable } from "./variables.ts";

describe("variables", () => {
  it("gives built-ins the first slots in a fixed order", () => {
    const table = new VariableTable();
    expect(table.slot("__vu")).toBe(BUILTIN_SLOT.vu);
    expect(table.slot("__iteration")).toBe(BUILTIN_SLOT.iteration);
    expect(table.slot("__scenario")).toBe(BUILTIN_SLOT.scenario);
    expect(table.slot("__timestamp")).toBe(BUILTIN_SLOT.timestamp);
    expect(table.slot("__uuid")).toBe(BUILTIN_SLOT.uuid);
    expect(table.slot("__worker")).toBe(BUILTIN_SLOT.worker);
    expect(table.slot("token")).toBe(6);
    expect(table.slot("token")).toBe(6);
  });

  it("keeps a string without variables as the string itself", () => {
    const table = new VariableTable();
    const text = "/items/1";
    expect(compileText(text, table)).toBe(text);
  });

  it("renders templates from slots, an unset variable as empty", () => {
    const table = new VariableTable();
    const refs = new Set<number>();
    const t = compileText("Bearer {{token}} for {{ user }}{{missing}}", table, refs);
    const values = new Array<string>(table.size).fill("");
    values[table.slot("token")] = "abc";
    values[table.slot("user")] = "ann";
    expect(renderText(t, values)).toBe("Bearer abc for ann");
    expect([...refs]).toEqual([table.slot("token"), table.slot("user"), table.slot("missing")]);
  });

  it("assembles composites, encoding constants once and templates on render", () => {
    const table = new VariableTable();
    const c = new CompositeBuilder()
      .literal("/a")
      .literal("?q=")
      .text("x y", encodeURIComponent)
      .literal("&v=")
      .text(compileText("{{v}}", table), encodeURIComponent)
      .build();
    const values = new Array<string>(table.size).fill("");
    values[table.slot("v")] = "a&b";
    expect(renderComposite(c, values)).toBe("/a?q=x%20y&v=a%26b");
    expect(new CompositeBuilder().literal("/a").text("b c", encodeURIComponent).build()).toBe("/ab%20c");
  });
});
