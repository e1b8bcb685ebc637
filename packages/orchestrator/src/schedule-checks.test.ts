// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} placeholders are what these tests are about.
import { loadTestInputSchema } from "@loadline/core";
import { OPEN_PLATFORM } from "@loadline/core/testing";
import { describe, expect, it } from "vitest";
import { scheduleRefusal } from "./schedule-checks.ts";

const spec = (targetUrl: string) =>
  loadTestInputSchema.parse({
    name: "t",
    targetUrl,
    defaultUsers: 1,
    defaultSpawnRate: 1,
    defaultDurationSec: 5,
    requests: [{ method: "GET", path: "/" }],
  });

describe("scheduleRefusal and env placeholders", () => {
  it("takes a test whose placeholders all have defaults", () => {
    expect(scheduleRefusal(spec("${BASE_URL:-http://127.0.0.1:9}"), {}, OPEN_PLATFORM)).toBeNull();
  });

  it("refuses a default that fills a target outside the allow-list", () => {
    expect(scheduleRefusal(spec("${BASE_URL:-http://169.254.169.254}"), {}, OPEN_PLATFORM)).toMatchObject({
      code: "forbidden",
      field: "loadTestId",
      message: expect.stringMatching(/^the load test's targetUrl: /),
    });
  });

  it("refuses a test with a placeholder no schedule can fill (a fire gives no env), naming it", () => {
    expect(scheduleRefusal(spec("${BASE_URL}"), {}, OPEN_PLATFORM)).toMatchObject({
      code: "invalid",
      message: "targetUrl: ${BASE_URL} is not set",
    });
  });
});
