import { describe, expect, it } from "vitest";
import { compileBody } from "./body.ts";
import { renderComposite, VariableTable } from "./variables.ts";

function render(body: Parameters<typeof compileBody>[0], vars: Record<string, string> = {}) {
  const table = new VariableTable();
  const plan = compileBody(body, table, new Set());
  const values = new Array<string>(table.size).fill("");
  for (const [k, v] of Object.entries(vars)) values[table.slot(k)] = v;
  return { plan, text: renderComposite(plan.body, values) };
}

describe("compileBody", () => {
  it("serialises a constant JSON body once, as JSON.stringify does", () => {
    const json = { a: [1, "x", null, true, { b: 2.5 }], 'k"ey': "v\n", u: undefined };
    const { plan, text } = render({ json });
    expect(typeof plan.body).toBe("string");
    expect(text).toBe(JSON.stringify(json));
    expect(plan.contentType).toBe("application/json");
  });

  it("renders every string of a JSON body as a template, escaped", () => {
    const { text } = render({ json: { user: "{{name}}", tags: ["{{name}}-1", "fixed"], n: 3 } }, { name: 'a"b\\c' });
    expect(JSON.parse(text)).toEqual({ user: 'a"b\\c', tags: ['a"b\\c-1', "fixed"], n: 3 });
  });

  it("encodes a form body", () => {
    const { plan, text } = render({ form: { user: "{{u}}", "pass word": "p&ss w" } }, { u: "ann@x.io" });
    expect(text).toBe("user=ann%40x.io&pass+word=p%26ss+w");
    expect(new URLSearchParams(text).get("pass word")).toBe("p&ss w");
    expect(plan.contentType).toBe("application/x-www-form-urlencoded");
  });

  it("renders a raw body with its own content type", () => {
    const { plan, text } = render({ raw: "<id>{{id}}</id>", contentType: "application/xml" }, { id: "9" });
    expect(text).toBe("<id>9</id>");
    expect(plan.contentType).toBe("application/xml");
    expect(render({ raw: "x" }).plan).toEqual({ body: "x", contentType: null });
  });
});
