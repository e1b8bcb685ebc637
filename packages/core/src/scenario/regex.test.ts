import { describe, expect, it } from "vitest";
import { compileRegex, regexError } from "./regex.ts";

describe("compileRegex", () => {
  // What users write for extraction and header checks: RE2 must take the same group RegExp took.
  const ordinary: [pattern: string, text: string, group: number][] = [
    ['name="csrf" value="([^"]+)"', '<form><input name="csrf" value="c-9"></form>', 1],
    ['value="(c)-(\\d)"', 'value="c-9"', 2],
    ["c-\\d", 'value="c-9"', 0],
    ["zzz(.)", "abc", 1],
    ["c-(\\d)", "c-9", 3],
    ["(a)|(b)", "b", 1],
    ["(a)|(b)", "b", 2],
    ['"token":"([^"]*)"', '{"id":1,"token":"t-1","other":"x"}', 1],
    ["(\\w+)@(\\w+)\\.com", "mail ann@example.com now", 2],
    ["(?<id>\\d+)", "order 42 of 7", 1],
    ["(a|ab)(c|bcd)(d*)", "abcd", 2],
    ["(a|ab)(c|bcd)(d*)", "abcd", 3],
    ["(a+)+b", "aaab", 1],
    ["<(.*)>", "<a><b>", 1],
    ["<(.*?)>", "<a><b>", 1],
    ["a.c", "a\nc", 0],
    ["^abc$", "abc\n", 0],
    ["^application/json", "application/json; charset=utf-8", 0],
    ["\\bsid=([^;]+)", "x=1; sid=xyz; Path=/", 1],
    ["é(.)", "aé€b", 1],
  ];

  it.each(ordinary)("%s on %j takes group %i as RegExp does", (pattern, text, group) => {
    const re = compileRegex(pattern);
    expect(re.group(text, group)).toBe(new RegExp(pattern).exec(text)?.[group]);
    expect(re.test(text)).toBe(new RegExp(pattern).test(text));
  });

  it("matches ^(a+)+$ in linear time: right answers on 100 KB (a backtracking engine would never finish)", () => {
    const re = compileRegex("^(a+)+$");
    const as = "a".repeat(100_000);
    expect(re.test(`${as}!`)).toBe(false);
    expect(re.group(`${as}!`, 1)).toBeUndefined();
    expect(re.group(as, 1)).toBe(as);
    expect(compileRegex("(x+x+)+y").group("x".repeat(100_000), 0)).toBeUndefined();
  });

  it("throws on a pattern RE2 cannot compile", () => {
    expect(() => compileRegex("(?=a)")).toThrow();
  });
});

describe("regexError", () => {
  it("is null for a pattern RE2 compiles", () => {
    expect(regexError('name="csrf" value="([^"]+)"')).toBeNull();
    expect(regexError("(?<id>\\d+)")).toBeNull();
  });

  it.each(["(?=a)b", "a(?!b)", "(?<=a)b", "(?<!a)b"])("refuses lookaround: %s", (pattern) => {
    expect(regexError(pattern)).toMatch(/lookaround is not supported \(regexes are RE2 syntax\)/);
  });

  it.each(["(a)\\1", "(?<n>a)\\k<n>"])("refuses backreferences: %s", (pattern) => {
    expect(regexError(pattern)).toMatch(/backreferences are not supported \(regexes are RE2 syntax\)/);
  });

  it("says what else is wrong, without the RE2 hint", () => {
    expect(regexError("(")).toMatch(/missing closing \)/);
    expect(regexError("(")).not.toMatch(/RE2/);
  });
});
