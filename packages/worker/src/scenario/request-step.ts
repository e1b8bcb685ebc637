import { effectiveHttpOptions, type HttpOptions, type RequestStep } from "@loadline/core";
import { compileBody } from "./body.ts";
import { type CompiledCheck, compileCheck } from "./checks.ts";
import { connectionProfileOf } from "./connection-profile.ts";
import type { SessionCookies } from "./cookies.ts";
import { type CompiledExtraction, compileExtraction } from "./extract.ts";
import type { ResponseView } from "./response-view.ts";
import type { ConnectionProfile, OutgoingRequest, PlannedOrigin } from "./transport.ts";
import { compileUrl, resolveDynamicUrl, type Target, type UrlPlan } from "./url.ts";
import { BUILTIN_SLOT, type Composite, compileText, renderComposite, renderText, type Text, type VariableTable } from "./variables.ts";

/**
 * A request step compiled once per scenario: url, headers and body precompiled so that a step
 * without variables sends one prebuilt request object and renders nothing.
 */
export class RequestPlan {
  readonly kind = "request";
  /** The step's name, else its url as written: dynamic URLs group under their template. */
  readonly name: string;
  readonly method: string;
  /** Built-ins this step reads, set just before it renders. */
  readonly usesTimestamp: boolean;
  readonly usesUuid: boolean;
  /** Checks plus extractions: each counts as one check passed or failed. */
  readonly inspections: number;

  private readonly url: UrlPlan;
  private readonly timeoutMs: number;
  /** Header names in lower case, so a cookie header from the jar merges with one the step sets. */
  private readonly headers: readonly (readonly [string, Text])[];
  private readonly fixedHeaders: Record<string, string> | null;
  private readonly body: string | Composite | undefined;
  private readonly fixedBodyBytes: number;
  /** The whole request when nothing in it renders (cookies aside). */
  private readonly fixedRequest: OutgoingRequest | null;
  private readonly checks: readonly CompiledCheck[];
  private readonly extractions: readonly CompiledExtraction[];
  /** HTTP/2 or TLS options (the step's over the test's); undefined: the default connections. */
  private readonly connection: ConnectionProfile | undefined;

  constructor(step: RequestStep, target: Target, table: VariableTable, scenarioRefs: Set<number>, testHttp?: HttpOptions) {
    const refs = new Set<number>();
    this.name = step.name ?? step.url;
    this.method = step.method;
    this.timeoutMs = step.timeoutMs;
    this.connection = connectionProfileOf(effectiveHttpOptions(testHttp, step.http));
    this.url = compileUrl(step.url, step.query, target, table, refs);

    const headers = new Map<string, Text>();
    for (const [name, value] of Object.entries(step.headers ?? {})) headers.set(name.toLowerCase(), compileText(value, table, refs));
    const body = step.body ? compileBody(step.body, table, refs) : undefined;
    if (body?.contentType && !headers.has("content-type")) headers.set("content-type", body.contentType);
    this.headers = [...headers];
    this.fixedHeaders = this.headers.every(([, v]) => typeof v === "string")
      ? Object.fromEntries(this.headers as [string, string][])
      : null;
    this.body = body?.body;
    this.fixedBodyBytes = typeof this.body === "string" ? Buffer.byteLength(this.body) : 0;

    this.fixedRequest =
      this.url.origin !== null && typeof this.url.path === "string" && this.fixedHeaders && typeof this.body !== "object"
        ? { ...this.assemble(this.url.origin, this.url.path, this.fixedHeaders, this.body), fixed: true }
        : null;

    this.checks = step.checks.map(compileCheck);
    this.extractions = step.extract.map((e) => compileExtraction(e, table));
    this.inspections = this.checks.length + this.extractions.length;
    this.usesTimestamp = refs.has(BUILTIN_SLOT.timestamp);
    this.usesUuid = refs.has(BUILTIN_SLOT.uuid);
    for (const r of refs) scenarioRefs.add(r);
  }

  /** Where its requests go when its url names the origin (else it is known per request only). */
  get plannedOrigin(): PlannedOrigin | null {
    if (this.url.origin === null) return null;
    return this.connection === undefined ? { origin: this.url.origin } : { origin: this.url.origin, connection: this.connection };
  }

  /** The request to send with these variables and cookies; throws when the url renders to no http(s) URL. */
  build(values: readonly string[], cookies: SessionCookies): OutgoingRequest {
    if (this.fixedRequest && cookies.empty) return this.fixedRequest;
    let origin: string;
    let path: string;
    if (this.url.origin !== null) {
      origin = this.url.origin;
      path = renderComposite(this.url.path, values);
    } else {
      ({ origin, path } = resolveDynamicUrl(this.url, values));
    }
    let headers = this.fixedHeaders ?? this.renderHeaders(values);
    const cookie = cookies.header(origin + path);
    if (cookie !== "") {
      const own = headers["cookie"];
      // A copy: fixed headers are shared by every request of the step.
      headers = { ...headers, cookie: own ? `${own}; ${cookie}` : cookie };
    }
    const body = this.body === undefined ? undefined : renderComposite(this.body, values);
    return this.assemble(origin, path, headers, body);
  }

  bytesOut(req: OutgoingRequest): number {
    if (req.body === undefined) return 0;
    return typeof this.body === "string" ? this.fixedBodyBytes : Buffer.byteLength(req.body);
  }

  /** Runs the checks and extractions (writing extracted values into `values`); returns how many failed. */
  inspect(view: ResponseView, values: string[]): number {
    let failed = 0;
    for (const check of this.checks) if (!check(view)) failed++;
    for (const { slot, read } of this.extractions) {
      const value = read(view);
      if (value === undefined)
        failed++; // the variable keeps its old value
      else values[slot] = value;
    }
    return failed;
  }

  private renderHeaders(values: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this.headers) out[name] = renderText(value, values);
    return out;
  }

  private assemble(origin: string, path: string, headers: Record<string, string>, body: string | undefined): OutgoingRequest {
    const req: OutgoingRequest = { origin, path, method: this.method, headers, timeoutMs: this.timeoutMs };
    if (body !== undefined) req.body = body;
    if (this.connection !== undefined) req.connection = this.connection;
    return req;
  }
}
