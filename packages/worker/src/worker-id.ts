import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { assertToken } from "@loadline/nats";

/**
 * `w-<hostname>-<6 hex>`: readable in the fleet, unique across restarts on one host.
 * The id is a NATS subject token and a KV key, so the hostname is reduced to [A-Za-z0-9_-].
 */
export function defaultWorkerId(host: string = hostname()): string {
  const safeHost =
    host
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "host";
  return `w-${safeHost}-${randomBytes(3).toString("hex")}`;
}

export const validWorkerId = (id: string): string => assertToken(id, "worker id");
