import { describe, expect, it } from "vitest";
import { extensionOf, isStaticAsset } from "./static-assets.ts";

describe("the static-asset filter", () => {
  it("goes by the browser's resource type when the recording has one", () => {
    for (const resourceType of ["document", "xhr", "fetch", "Fetch"])
      expect(isStaticAsset({ url: "https://a.test/app.js", resourceType })).toBe(false);
    for (const resourceType of ["stylesheet", "script", "image", "font", "media", "manifest", "other", "ping"])
      expect(isStaticAsset({ url: "https://a.test/api/x", resourceType })).toBe(true);
  });

  it("else by MIME type: images, fonts, media, css, javascript, wasm", () => {
    for (const mimeType of [
      "image/png",
      "image/svg+xml",
      "font/woff2",
      "application/font-woff",
      "video/mp4",
      "audio/mpeg",
      "text/css; charset=utf-8",
      "application/javascript",
      "text/javascript",
      "application/x-javascript",
      "application/wasm",
    ])
      expect(isStaticAsset({ url: "https://a.test/x", mimeType }), mimeType).toBe(true);
    for (const mimeType of ["application/json", "text/html; charset=utf-8", "application/problem+json", "text/plain", ""])
      expect(isStaticAsset({ url: "https://a.test/x", mimeType }), mimeType).toBe(false);
  });

  it("else by the path's extension, whatever the query", () => {
    expect(isStaticAsset({ url: "https://a.test/logo.PNG?v=3" })).toBe(true);
    expect(isStaticAsset({ url: "https://a.test/fonts/x.woff2" })).toBe(true);
    expect(isStaticAsset({ url: "https://a.test/bundle.min.js" })).toBe(true);
    expect(isStaticAsset({ url: "https://a.test/favicon.ico" })).toBe(true);
    expect(isStaticAsset({ url: "https://a.test/api/v1.2/orders" })).toBe(false);
    expect(isStaticAsset({ url: "https://a.test/report.json" })).toBe(false);
    expect(extensionOf("https://a.test/.hidden")).toBe("");
  });
});
