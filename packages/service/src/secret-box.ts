import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";

/**
 * The platform's keyring for secrets: AES-256-GCM keys, each with an id. The first key is the
 * primary, the one that seals; the others only open, so that keys can be rotated without a
 * flag day. A sealed value is `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url, no padding:
 * core's `sealedValueSchema`), with a random 12-byte IV and `v1:<key id>` as additional
 * authenticated data, so a value cannot be passed off as sealed under another key.
 *
 * Configuration (one of the two, not both):
 * - `LL_SECRETS_KEYS`: comma-separated `kid:base64key` entries, each key 32 bytes (base64 or
 *   base64url), the primary first: `LL_SECRETS_KEYS=k2026b:<new>,k2026a:<old>`;
 * - `LL_SECRETS_KEY_FILE`: the path of a file holding the same text; entries may also be one a
 *   line, and blank lines and `#` comments are skipped.
 *
 * Rotation: generate a key (`generateKeyEntry()`), put it first and keep the old ones after it,
 * restart the services; every new value is sealed under the new key, the old ones still open.
 * Reseal each stored secret whose `needsReseal` is true (`reseal`: the API's `secret.set` with
 * the resealed value), after which the old key can go. A value sealed under a key no longer in
 * the keyring cannot be opened again: drop a key only once nothing is sealed under it.
 *
 * No key configured: `keyringFromEnv` returns an empty keyring (`configured` false) whose
 * `seal` and `open` throw, saying how to configure one; a process that never meets a secret
 * runs as before. The embedded stack (`loadline up`) is expected to create a key file on its
 * first start (`ensureKeyFile`) and point LL_SECRETS_KEY_FILE at it.
 *
 * Errors name key ids, never a key or a value.
 */
export class SecretKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The id of the key that seals; undefined in an empty keyring. */
  readonly primaryKeyId: string | undefined;

  constructor(entries: readonly { id: string; key: Buffer }[]) {
    const keys = new Map<string, Buffer>();
    for (const { id, key } of entries) {
      if (!KEY_ID.test(id)) throw new SecretKeyError(`bad key id "${safeId(id)}": letters, digits, _ or -, 1 to 32 of them`);
      if (key.length !== KEY_BYTES) throw new SecretKeyError(`key ${id} is not ${KEY_BYTES} bytes`, id);
      if (keys.has(id)) throw new SecretKeyError(`key id ${id} is given twice`, id);
      keys.set(id, Buffer.from(key));
    }
    this.keys = keys;
    this.primaryKeyId = entries[0]?.id;
  }

  /** Whether it holds any key (an empty keyring seals and opens nothing). */
  get configured(): boolean {
    return this.primaryKeyId !== undefined;
  }

  /** The ids of its keys, the primary first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Seals `value` under the primary key. */
  seal(value: string): string {
    const kid = this.primaryKeyId;
    if (kid === undefined) throw noKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(kid)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(kid));
    const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return [VERSION, kid, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(":");
  }

  /** The value sealed in `sealed`; throws, naming the key id, when it is not held or the value does not verify. */
  open(sealed: string): string {
    const { kid, iv, tag, ciphertext } = parseSealed(sealed);
    if (!this.configured) throw noKey();
    const key = this.keys.get(kid);
    if (!key)
      throw new SecretKeyError(`sealed under key ${kid}, which this keyring does not hold (it holds ${this.keyIds.join(", ")})`, kid);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(kid));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch {
      // Node's own message says nothing of the value, but nothing of it is passed on either.
      throw new SecretKeyError(`sealed value under key ${kid} does not verify: another key of that id, or altered`, kid);
    }
  }

  /** Whether `sealed` is under a key other than the primary: to reseal once keys rotated. */
  needsReseal(sealed: string): boolean {
    return parseSealed(sealed).kid !== this.primaryKeyId;
  }

  /** `sealed` opened and sealed again under the primary key. */
  reseal(sealed: string): string {
    return this.seal(this.open(sealed));
  }
}

/** A keyring's refusal: bad configuration, a key it does not hold, a value that does not verify. Never holds a key or a value. */
export class SecretKeyError extends Error {
  constructor(
    message: string,
    /** The key id concerned, when there is one. */
    readonly keyId?: string,
  ) {
    super(message);
    this.name = "SecretKeyError";
  }
}

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

const b64 = (b: Buffer): string => b.toString("base64url");
const aad = (kid: string): Buffer => Buffer.from(`${VERSION}:${kid}`, "utf8");
/** A key id as an error may show it: a bad one is cut short and stripped, it could be a key pasted in the wrong place. */
const safeId = (id: string): string => (id.length > 32 ? "(too long)" : id.replace(/[^A-Za-z0-9_-]/g, "?"));
const noKey = () => new SecretKeyError("no secrets key is configured: set LL_SECRETS_KEYS or LL_SECRETS_KEY_FILE");

function parseSealed(sealed: string): { kid: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = sealed.split(":");
  const [version, kid, iv, tag, ciphertext] = parts;
  if (
    parts.length !== 5 ||
    version !== VERSION ||
    !KEY_ID.test(kid!) ||
    ![iv, tag, ciphertext].every((p) => B64URL.test(p!)) ||
    Buffer.from(iv!, "base64url").length !== IV_BYTES ||
    Buffer.from(tag!, "base64url").length !== TAG_BYTES
  )
    throw new SecretKeyError(`not a sealed value (${VERSION}:<key id>:<iv>:<tag>:<ciphertext>)`, KEY_ID.test(kid ?? "") ? kid : undefined);
  return {
    kid: kid!,
    iv: Buffer.from(iv!, "base64url"),
    tag: Buffer.from(tag!, "base64url"),
    ciphertext: Buffer.from(ciphertext!, "base64url"),
  };
}

/**
 * Parses `kid:base64key` entries, separated by commas or newlines (blank lines and `#`
 * comments skipped), the primary first. `source` names where they came from in errors.
 */
export function parseKeyring(text: string, source = "LL_SECRETS_KEYS"): SecretKeyring {
  const entries: { id: string; key: Buffer }[] = [];
  const items = text
    .split("\n")
    .flatMap((line) => line.replace(/#.*$/, "").split(","))
    .map((item) => item.trim())
    .filter(Boolean);
  items.forEach((item, i) => {
    const colon = item.indexOf(":");
    const where = `${source} entry ${i + 1}`;
    if (colon < 0) throw new SecretKeyError(`${where} is not kid:base64key`);
    const id = item.slice(0, colon).trim();
    const encoded = item.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new SecretKeyError(`${where}: bad key id "${safeId(id)}": letters, digits, _ or -, 1 to 32 of them`);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, encoded.includes("-") || encoded.includes("_") ? "base64url" : "base64") : null;
    if (!key || key.length !== KEY_BYTES) throw new SecretKeyError(`${where}: key ${id} is not ${KEY_BYTES} bytes of base64`, id);
    entries.push({ id, key });
  });
  if (entries.length === 0) throw new SecretKeyError(`${source} holds no key`);
  try {
    return new SecretKeyring(entries);
  } catch (err) {
    throw err instanceof SecretKeyError ? new SecretKeyError(`${source}: ${err.message}`, err.keyId) : err;
  }
}

/**
 * The keyring the environment configures: LL_SECRETS_KEYS, or the file LL_SECRETS_KEY_FILE
 * names (read with `readFile`); an empty keyring when neither is set. Throws on both, on an
 * unreadable file and on a bad entry, naming the variable and the entry, never the key.
 */
export function keyringFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): SecretKeyring {
  const inline = env["LL_SECRETS_KEYS"]?.trim() || undefined;
  const file = env["LL_SECRETS_KEY_FILE"]?.trim() || undefined;
  if (inline && file) throw new SecretKeyError("set LL_SECRETS_KEYS or LL_SECRETS_KEY_FILE, not both");
  if (inline) return parseKeyring(inline, "LL_SECRETS_KEYS");
  if (file) {
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      throw new SecretKeyError(`LL_SECRETS_KEY_FILE ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
    return parseKeyring(text, `LL_SECRETS_KEY_FILE ${file}`);
  }
  return new SecretKeyring([]);
}

/** A new key entry, `kid:base64key`, its id `k<yyyymmdd><4 hex>`. */
export function generateKeyEntry(now = new Date()): string {
  const id = `k${now.toISOString().slice(0, 10).replaceAll("-", "")}${randomBytes(2).toString("hex")}`;
  return `${id}:${randomBytes(KEY_BYTES).toString("base64")}`;
}

/**
 * Writes a key file holding one new key (mode 0600) and returns its key id. Never overwrites:
 * a key file that exists holds the key of every secret sealed so far (it rejects, EEXIST).
 */
export async function generateKeyFile(path: string): Promise<string> {
  const entry = generateKeyEntry();
  await writeFile(path, `# Loadline secrets keyring: kid:base64key, the primary first. Keep it private.\n${entry}\n`, {
    flag: "wx",
    mode: 0o600,
  });
  return entry.slice(0, entry.indexOf(":"));
}

/** The key file at `path`, created (`generateKeyFile`) when there is none: what the embedded stack does on its first start. */
export async function ensureKeyFile(path: string): Promise<{ created: boolean }> {
  try {
    await generateKeyFile(path);
    return { created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return { created: false };
    throw err;
  }
}
