import { describe, expect, it } from "vitest";
import { compileTemplate, renderTemplate, templateVariables } from "./template.ts";

describe("templates", () => {
  it("renders variables and leaves plain text alone", () => {
    const t = compileTemplate("/users/{{ id }}/orders/{{order}}?x=1");
    expect(t.variables).toEqual(["id", "order"]);
    expect(renderTemplate(t, { id: "7", order: "a1" })).toBe("/users/7/orders/a1?x=1");
    expect(renderTemplate(compileTemplate("/static"), {})).toBe("/static");
  });
  it("renders an unset variable as empty", () => {
    expect(renderTemplate(compileTemplate("a{{b}}c"), {})).toBe("ac");
  });
  it("finds no variables in single braces", () => {
    expect(templateVariables('{ "json": {x} }')).toEqual([]);
  });
});
