import { basename } from "node:path";
import { z } from "zod";
import { type Correlation, correlate, type Exchange } from "./correlation.ts";
import {
  counted,
  type DraftRequest,
  type DraftStep,
  ImportError,
  type ImportOptions,
  type ImportResult,
  listed,
  MAX_STEPS,
  parseJsonOrUndefined,
  smokeExecutor,
  stepName,
} from "./draft.ts";
import { credentialsAsSecrets, keptHeaders } from "./headers.ts";
import { contentTypeImplied, draftBody, isJsonType } from "./request-body.ts";
import { isStaticAsset } from "./static-assets.ts";

/** A HAR 1.2 recording, as far as the import reads it (browsers add fields of their own: ignored). */
const nameValue = z.object({ name: z.string(), value: z.string().default("") });
const entrySchema = z.object({
  startedDateTime: z.string(),
  time: z.number().default(0),
  _resourceType: z.string().optional(),
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.array(nameValue).default([]),
    postData: z.object({ mimeType: z.string().default(""), text: z.string().optional(), params: z.array(nameValue).optional() }).optional(),
  }),
  response: z.object({
    status: z.number(),
    content: z
      .object({ mimeType: z.string().default(""), text: z.string().optional(), encoding: z.string().optional() })
      .default({ mimeType: "" }),
  }),
});
const harSchema = z.object({
  log: z.object({
    version: z.string().optional(),
    creator: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
    pages: z.array(z.object({ title: z.string().optional() })).optional(),
    entries: z.array(entrySchema),
  }),
});
type Entry = z.infer<typeof entrySchema>;

export type HarImportOptions = ImportOptions & {
  /** Other hosts (`api.example.com`, or with its port) whose requests are kept, as absolute URLs. */
  includeHosts?: readonly string[];
  /** Headers left out by default to keep all the same (`user-agent`). */
  keepHeaders?: readonly string[];
  /** The longest think time made of a gap in the recording (default 5 s): longer gaps were the recorder away. */
  maxThinkMs?: number;
  /** The recording's file name, for the header comment. */
  fileName?: string;
};

/** Gaps shorter than this are the browser's own pace, not the user's: no think step. */
const MIN_THINK_MS = 100;
const THINK_ROUNDING_MS = 100;
const DEFAULT_MAX_THINK_MS = 5_000;

const originOf = (url: string): string | null => {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
};

/** The recorded think time between two requests: the gap from one's end to the next one's start, rounded and capped. */
export function thinkTimeMs(
  previous: Pick<Entry, "startedDateTime" | "time">,
  next: Pick<Entry, "startedDateTime">,
  maxMs: number,
): number {
  const gap = Date.parse(next.startedDateTime) - (Date.parse(previous.startedDateTime) + Math.max(0, previous.time));
  if (!Number.isFinite(gap) || gap < MIN_THINK_MS) return 0;
  return Math.min(maxMs, Math.round(gap / THINK_ROUNDING_MS) * THINK_ROUNDING_MS);
}

/** The origin most requests went to (the first such in the recording on a tie). */
function busiestOrigin(entries: readonly Entry[]): string | undefined {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const origin = originOf(e.request.url);
    if (origin) counts.set(origin, (counts.get(origin) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [origin, n] of counts) if (best === undefined || n > counts.get(best)!) best = origin;
  return best;
}

function responseJson(entry: Entry): unknown {
  const { mimeType, text, encoding } = entry.response.content;
  if (text === undefined || !isJsonType(mimeType)) return undefined;
  return parseJsonOrUndefined(encoding === "base64" ? Buffer.from(text, "base64").toString("utf8") : text);
}

function stepOf(entry: Entry, url: string, keep: ReadonlySet<string>): DraftRequest {
  const { method, headers, postData } = entry.request;
  const step: DraftRequest = { type: "request", name: "", method: method.toUpperCase(), url };
  const text =
    postData?.text ??
    (postData?.params ? new URLSearchParams(postData.params.map((p): [string, string] => [p.name, p.value])).toString() : undefined);
  const body = postData && text !== undefined && text !== "" ? draftBody(postData.mimeType, text) : undefined;
  const kept = keptHeaders(headers, keep);
  if (contentTypeImplied(body, kept["content-type"])) delete kept["content-type"];
  if (Object.keys(kept).length > 0) step.headers = kept;
  if (body) step.body = body;
  const { status } = entry.response;
  if (status >= 100 && status <= 599) step.checks = [{ type: "status", in: [status] }];
  return step;
}

const stepLabel = (s: DraftRequest) => `${s.method} ${s.name}`;
const describeCorrelation = (c: Correlation) =>
  `{{${c.variable}}}: extracted from ${stepLabel(c.from)} (${c.path}), sent by ${listed([...new Set(c.usedBy.map(stepLabel))])}`;

/**
 * A HAR recording as a load test: the pages' own requests (documents, XHR, fetch) to the busiest
 * origin (its targetUrl) as paths, other origins only when asked, static assets left out; the
 * recording's pauses as think steps; values the server handed out correlated (correlation.ts);
 * credentials typed in headers as tenant secrets.
 */
export function importHar(text: string, opts: HarImportOptions = {}): ImportResult {
  const parsed = harSchema.safeParse(parseJsonOrUndefined(text));
  if (!parsed.success)
    throw new ImportError(
      `not a HAR recording: ${parsed.error.issues[0]?.path.join(".") || "the file"}: ${parsed.error.issues[0]?.message}`,
    );
  const { log } = parsed.data;
  const entries = [...log.entries].sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
  const leftOut: string[] = [];
  const keep = new Set((opts.keepHeaders ?? []).map((h) => h.toLowerCase()));

  const nonHttp = entries.filter((e) => originOf(e.request.url) === null);
  const unanswered = entries.filter((e) => originOf(e.request.url) !== null && e.response.status === 0);
  const answered = entries.filter((e) => originOf(e.request.url) !== null && e.response.status !== 0);
  const statics = answered.filter((e) =>
    isStaticAsset({ url: e.request.url, mimeType: e.response.content.mimeType, resourceType: e._resourceType }),
  );
  const staticSet = new Set(statics);
  // A CORS preflight is the browser's question, not the page's request: the worker asks none.
  const preflights = answered.filter(
    (e) =>
      e.request.method.toUpperCase() === "OPTIONS" &&
      e.request.headers.some((h) => h.name.toLowerCase() === "access-control-request-method"),
  );
  const preflightSet = new Set(preflights);
  const application = answered.filter((e) => !staticSet.has(e) && !preflightSet.has(e));
  if (preflights.length > 0) leftOut.push(`${counted(preflights.length, "CORS preflight")} (OPTIONS asked by the browser)`);
  if (statics.length > 0) leftOut.push(`${counted(statics.length, "static asset")} (images, fonts, stylesheets, scripts, media)`);
  if (nonHttp.length > 0) leftOut.push(`${counted(nonHttp.length, "request")} not http(s) (data:, blob:, extensions)`);
  if (unanswered.length > 0) leftOut.push(`${counted(unanswered.length, "request")} with no response (blocked, cancelled)`);

  const wanted = opts.targetUrl ? originOf(opts.targetUrl) : null;
  const primary = application.some((e) => originOf(e.request.url) === wanted) ? wanted! : busiestOrigin(application);
  if (!primary) throw new ImportError("the recording holds no request of a page (document, XHR or fetch) to import");
  const includeHosts = new Set((opts.includeHosts ?? []).map((h) => h.toLowerCase()));
  const included = (url: string) => {
    const u = new URL(url);
    return includeHosts.has(u.host.toLowerCase()) || includeHosts.has(u.hostname.toLowerCase());
  };
  const chosen = application.filter((e) => originOf(e.request.url) === primary || included(e.request.url));
  const chosenSet = new Set(chosen);
  const otherOrigins = [...new Set(application.filter((e) => !chosenSet.has(e)).map((e) => originOf(e.request.url)!))];
  if (otherOrigins.length > 0) leftOut.push(`requests to other origins: ${listed(otherOrigins)} (keep them with --include-hosts)`);

  const maxThinkMs = opts.maxThinkMs ?? DEFAULT_MAX_THINK_MS;
  const exchanges: Exchange[] = [];
  const steps: DraftStep[] = [];
  let previous: Entry | undefined;
  let truncated = 0;
  for (const entry of chosen) {
    const think = previous ? thinkTimeMs(previous, entry, maxThinkMs) : 0;
    if (steps.length + (think > 0 ? 2 : 1) > MAX_STEPS) {
      truncated++;
      continue;
    }
    if (think > 0) steps.push({ type: "think", distribution: "constant", ms: think });
    const u = new URL(entry.request.url);
    const step = stepOf(entry, u.origin === primary ? `${u.pathname}${u.search}` : entry.request.url, keep);
    steps.push(step);
    exchanges.push({ step, responseJson: responseJson(entry) });
    previous = entry;
  }
  if (truncated > 0) leftOut.push(`the last ${counted(truncated, "request")}: a scenario holds at most ${MAX_STEPS} steps`);

  const correlations = correlate(exchanges);
  const secrets = new Set<string>();
  for (const { step } of exchanges) {
    if (step.headers) step.headers = credentialsAsSecrets(step.headers, secrets);
    step.name = stepName(step.url);
  }
  const thinks = steps.filter((s) => s.type === "think").length;
  const creator = [log.creator?.name, log.creator?.version].filter(Boolean).join(" ");
  const targetUrl = (opts.targetUrl ?? primary).replace(/\/+$/, "");
  return {
    test: {
      name: (
        opts.name ??
        (log.pages?.[0]?.title?.trim() || (opts.fileName ? basename(opts.fileName).replace(/\.har$/i, "") : "recorded"))
      ).slice(0, 200),
      targetUrl,
      scenarios: [{ name: "recorded", executor: smokeExecutor(), steps }],
    },
    notes: {
      source: [`the HAR ${log.version ?? "1.2"} recording`, opts.fileName && basename(opts.fileName), creator && `(${creator})`]
        .filter(Boolean)
        .join(" "),
      imported: [
        `${counted(exchanges.length, "request")} to ${primary}${targetUrl !== primary ? `, sent to targetUrl ${targetUrl}` : " (targetUrl)"}${includeHosts.size > 0 ? `, and to ${listed([...includeHosts])}` : ""}`,
        `${counted(thinks, "think time")} from the recording's pauses (rounded to ${THINK_ROUNDING_MS} ms, at most ${maxThinkMs} ms)`,
        ...correlations.map(describeCorrelation),
      ],
      leftOut: [
        ...leftOut,
        "cookies (the worker keeps each virtual user's own), and headers the browser adds (host, content-length, user-agent, sec-*, caching)",
      ],
      secrets: [...secrets].sort(),
    },
  };
}
