import { describe, expect, it } from "vitest";
import { signature, signedHeaders, verifySignature } from "./signing.ts";

describe("webhook signatures", () => {
  it("signs '<timestamp>.<body>' with HMAC-SHA256, hex (a known vector)", () => {
    // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expect(signature("whsec_test", 1_700_000_000, '{"a":1}')).toBe("v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
  });

  it("verifies what it signed within the replay window, and nothing altered or late", () => {
    const now = 1_700_000_000_000;
    const h = signedHeaders("d-1", "whsec_test", '{"a":1}', now);
    const ts = Number(h["loadline-webhook-timestamp"]);
    expect(h["loadline-webhook-id"]).toBe("d-1");
    expect(verifySignature("whsec_test", h["loadline-webhook-signature"]!, ts, '{"a":1}', now + 1000)).toBe(true);
    expect(verifySignature("whsec_test", h["loadline-webhook-signature"]!, ts, '{"a":2}', now)).toBe(false);
    expect(verifySignature("whsec_other", h["loadline-webhook-signature"]!, ts, '{"a":1}', now)).toBe(false);
    expect(verifySignature("whsec_test", h["loadline-webhook-signature"]!, ts, '{"a":1}', now + 301_000)).toBe(false);
  });
});
