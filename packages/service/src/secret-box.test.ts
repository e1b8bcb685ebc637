import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sealedValueSchema } from "@loadline/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  ensureKeyFile,
  generateKeyEntry,
  generateKeyFile,
  keyringFromEnv,
  parseKeyring,
  SecretKeyError,
  SecretKeyring,
} from "./secret-box.ts";

const key1 = randomBytes(32).toString("base64");
const key2 = randomBytes(32).toString("base64url");
const VALUE = "s3cr3t-Value, with ünïcode";

/** The message of what `f` threw. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretKeyError);
    return (err as Error).message;
  }
  throw new Error("did not throw");
}

describe("SecretKeyring", () => {
  it("seals in core's sealed format, with a fresh IV each time, and opens it", () => {
    const ring = keyringFromEnv({ LL_SECRETS_KEYS: `k1:${key1}` });
    const a = ring.seal(VALUE);
    const b = ring.seal(VALUE);
    expect(sealedValueSchema.safeParse(a).success).toBe(true);
    expect(a).toMatch(/^v1:k1:/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cr3t");
    expect(ring.open(a)).toBe(VALUE);
    expect(ring.open(ring.seal(""))).toBe("");
    expect(ring.needsReseal(a)).toBe(false);
  });

  it("rotates: k2 first opens what k1 sealed and reseals it under k2; k2 alone opens that and refuses the old", () => {
    const old = keyringFromEnv({ LL_SECRETS_KEYS: `k1:${key1}` }).seal(VALUE);
    const rotating = keyringFromEnv({ LL_SECRETS_KEYS: `k2:${key2}, k1:${key1}` });
    expect(rotating.primaryKeyId).toBe("k2");
    expect(rotating.keyIds).toEqual(["k2", "k1"]);
    expect(rotating.open(old)).toBe(VALUE);
    expect(rotating.needsReseal(old)).toBe(true);
    const resealed = rotating.reseal(old);
    expect(resealed).toMatch(/^v1:k2:/);
    expect(rotating.needsReseal(resealed)).toBe(false);

    const rotated = keyringFromEnv({ LL_SECRETS_KEYS: `k2:${key2}` });
    expect(rotated.open(resealed)).toBe(VALUE);
    const message = thrown(() => rotated.open(old));
    expect(message).toMatch(/key k1, which this keyring does not hold \(it holds k2\)/);
    expect(message).not.toContain(VALUE);
  });

  it("refuses a value that does not verify, naming the key id and nothing of the value", () => {
    const ring = keyringFromEnv({ LL_SECRETS_KEYS: `k1:${key1}` });
    const sealed = ring.seal(VALUE);
    // Another key under the same id.
    const impostor = keyringFromEnv({ LL_SECRETS_KEYS: `k1:${key2}` });
    expect(thrown(() => impostor.open(sealed))).toMatch(/under key k1 does not verify/);
    // A flipped ciphertext byte.
    const parts = sealed.split(":");
    const ct = Buffer.from(parts[4]!, "base64url");
    ct[0] = ct[0]! ^ 1;
    const tampered = [...parts.slice(0, 4), ct.toString("base64url")].join(":");
    expect(thrown(() => ring.open(tampered))).toMatch(/k1 does not verify/);
    // The same ciphertext relabelled under another key id the ring holds: the id is authenticated.
    const both = keyringFromEnv({ LL_SECRETS_KEYS: `k2:${key1},k1:${key1}` });
    expect(both.open(sealed)).toBe(VALUE);
    expect(thrown(() => both.open(sealed.replace(":k1:", ":k2:")))).toMatch(/k2 does not verify/);
    expect(thrown(() => ring.open("v1:k1:abc"))).toMatch(/not a sealed value/);
    expect(thrown(() => ring.open(VALUE))).not.toContain(VALUE);
  });

  it("reads a key file, entries one a line with comments, and names a bad entry without its key", () => {
    const file = `# keys\n\nk2:${key2}\r\nk1:${key1}  # the old one\n`;
    const ring = keyringFromEnv({ LL_SECRETS_KEY_FILE: "/etc/ll/keys" }, (path) => {
      expect(path).toBe("/etc/ll/keys");
      return file;
    });
    expect(ring.keyIds).toEqual(["k2", "k1"]);
    const short = randomBytes(16).toString("base64");
    const message = thrown(() => keyringFromEnv({ LL_SECRETS_KEYS: `k1:${key1},k2:${short}` }));
    expect(message).toBe("LL_SECRETS_KEYS entry 2: key k2 is not 32 bytes of base64");
    expect(thrown(() => parseKeyring(key1))).toMatch(/entry 1 is not kid:base64key/);
    expect(thrown(() => parseKeyring(`k1:${key1},k1:${key2}`))).toMatch(/k1 is given twice/);
    expect(thrown(() => parseKeyring(`bad id:${key1}`))).toMatch(/bad key id "bad\?id"/);
    expect(thrown(() => keyringFromEnv({ LL_SECRETS_KEYS: "a:b", LL_SECRETS_KEY_FILE: "/x" }))).toMatch(/not both/);
    const unreadable = thrown(() =>
      keyringFromEnv({ LL_SECRETS_KEY_FILE: "/nope" }, () => {
        throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      }),
    );
    expect(unreadable).toBe("LL_SECRETS_KEY_FILE /nope cannot be read: ENOENT");
    expect(thrown(() => keyringFromEnv({ LL_SECRETS_KEY_FILE: "/empty" }, () => "# nothing\n"))).toMatch(/holds no key/);
  });

  it("with no key configured, is empty: it seals and opens nothing and says how to configure one", () => {
    const ring = keyringFromEnv({});
    expect(ring.configured).toBe(false);
    expect(thrown(() => ring.seal(VALUE))).toMatch(/no secrets key is configured: set LL_SECRETS_KEYS or LL_SECRETS_KEY_FILE/);
    const sealed = new SecretKeyring([{ id: "k1", key: Buffer.from(key1, "base64") }]).seal(VALUE);
    expect(thrown(() => ring.open(sealed))).toMatch(/no secrets key is configured/);
  });
});

describe("key files", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("generates a kid:base64 entry in a 0600 file, never over an existing one; the keyring reads it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ll-keys-"));
    dirs.push(dir);
    const path = join(dir, "secrets.keys");
    const kid = await generateKeyFile(path);
    expect(kid).toMatch(/^k\d{8}[0-9a-f]{4}$/);
    if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
    const before = await readFile(path, "utf8");
    await expect(generateKeyFile(path)).rejects.toMatchObject({ code: "EEXIST" });
    expect(await ensureKeyFile(path)).toEqual({ created: false });
    expect(await readFile(path, "utf8")).toBe(before);
    const ring = keyringFromEnv({ LL_SECRETS_KEY_FILE: path });
    expect(ring.primaryKeyId).toBe(kid);
    expect(ring.open(ring.seal(VALUE))).toBe(VALUE);

    const fresh = join(dir, "other.keys");
    expect(await ensureKeyFile(fresh)).toEqual({ created: true });
    expect(keyringFromEnv({ LL_SECRETS_KEY_FILE: fresh }).configured).toBe(true);
    expect(generateKeyEntry(new Date("2026-03-04T00:00:00Z"))).toMatch(/^k20260304[0-9a-f]{4}:[A-Za-z0-9+/]{43}=$/);
  });
});
