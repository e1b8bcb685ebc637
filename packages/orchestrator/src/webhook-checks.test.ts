import { DEFAULT_QUOTAS, type PlatformDefaults } from "@loadline/core";
import { describe, expect, it } from "vitest";
import { webhookUrlRefusal } from "./webhook-checks.ts";
import { newWebhookSecret } from "./webhook-routes.ts";

const policy = (allow: string[], loopback = false): PlatformDefaults => ({
  targets: { allow, loopback, privateNetworks: false },
  quotas: DEFAULT_QUOTAS,
});

describe("webhook URLs", () => {
  it("obey the tenant's allow-list as load targets do, refused as a 403 naming url", () => {
    expect(webhookUrlRefusal("https://hooks.example.com/x", policy(["*.example.com"]))).toBeNull();
    const outside = webhookUrlRefusal("https://hooks.other.com/x", policy(["*.example.com"]));
    expect([outside?.code, outside?.field]).toEqual(["forbidden", "url"]);
    expect(webhookUrlRefusal("http://169.254.169.254/latest", policy(["*"]))?.field).toBe("url");
    expect(webhookUrlRefusal("http://127.0.0.1:9/x", policy(["*"]))).not.toBeNull();
    expect(webhookUrlRefusal("http://127.0.0.1:9/x", policy(["*"], true))).toBeNull();
    expect(webhookUrlRefusal("https://u:p@hooks.example.com/", policy(["*"]))).not.toBeNull();
  });

  it("are signed with 256-bit secrets, never the same twice", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
