import { type HttpOptions, isDefaultHttp } from "@loadline/core";
import type { ConnectionProfile } from "./transport.ts";

/**
 * The connection profile of a step's effective HTTP options, or undefined for plain HTTP/1.1
 * with verified certificates: the default connections, whose path stays as it is. Steps with
 * equal options get equal keys, and so share connections.
 */
export function connectionProfileOf(http: HttpOptions | undefined): ConnectionProfile | undefined {
  if (isDefaultHttp(http)) return undefined;
  const h2 = http?.version === "2";
  const ca = http?.tls?.ca;
  const insecureSkipVerify = http?.tls?.insecureSkipVerify === true;
  return { key: JSON.stringify([h2, insecureSkipVerify, ca ?? null]), h2, insecureSkipVerify, ...(ca ? { ca } : {}) };
}
