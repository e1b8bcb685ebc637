import { readFile, writeFile } from "node:fs/promises";
import { newApiKeySecret } from "./api-key-token.ts";
import { bootstrapKeyFor } from "./authenticator.ts";

/**
 * The bootstrap key at `path`, made (mode 0600, never overwritten) when there is none: the
 * platform admin's key of a fresh installation, from which every other key is created. The
 * embedded stack keeps it in its data folder and the CLI reads it from there.
 */
export async function ensureBootstrapKey(path: string): Promise<{ key: string; created: boolean }> {
  try {
    const key = bootstrapKeyFor(newApiKeySecret().secret);
    await writeFile(path, `${key}\n`, { flag: "wx", mode: 0o600 });
    return { key, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { key: (await readFile(path, "utf8")).trim(), created: false };
  }
}
