import { join } from "node:path";
import { ensureBootstrapKey, generateKeyFile } from "@loadline/service";
import type { ServiceName } from "./services.ts";

/** The key files of a deployment with authentication on, made in `dir`: the platform admin's key and the secrets keyring. */
export type DeploymentKeys = { dir: string; adminKey: string };

export async function makeDeploymentKeys(dir: string): Promise<DeploymentKeys> {
  const { key: adminKey } = await ensureBootstrapKey(join(dir, "admin-key"));
  await generateKeyFile(join(dir, "secrets.key"));
  return { dir, adminKey };
}

/**
 * What each service is given in such a deployment: the API its bootstrap key and the secrets
 * keyring, a worker the same keyring (to open the secrets of its runs), the orchestrator the
 * targets a tenant nobody configured may load (the tests' targets, on loopback).
 */
export function deploymentEnv(kind: ServiceName, keys: DeploymentKeys): Record<string, string> {
  const secrets = { LL_SECRETS_KEY_FILE: join(keys.dir, "secrets.key") };
  switch (kind) {
    case "api":
      return { ...secrets, LL_BOOTSTRAP_KEY_FILE: join(keys.dir, "admin-key") };
    case "worker":
      return secrets;
    case "orchestrator":
      return { LL_TARGETS_ALLOW: "127.0.0.1,localhost", LL_TARGETS_LOOPBACK: "true" };
    default:
      return {};
  }
}
