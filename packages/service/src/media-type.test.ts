import { describe, expect, it } from "vitest";
import { isJsonContentType } from "./media-type.ts";

describe("isJsonContentType", () => {
  it("takes JSON, with a UTF-8 charset or none, and +json types", () => {
    for (const type of [
      "application/json",
      "Application/JSON",
      "application/json; charset=utf-8",
      'application/json;charset="UTF-8"',
      "application/merge-patch+json",
      "application/vnd.loadline.test+json; charset=utf8",
    ])
      expect(isJsonContentType(type), type).toBe(true);
  });

  it("refuses what a browser sends cross-site without a preflight, other charsets, and none", () => {
    for (const type of [
      undefined,
      "",
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "application/jsonx",
      "text/json",
    ])
      expect(isJsonContentType(type), String(type)).toBe(false);
  });
});
