// Where the goal queries' time goes: the categories of their CPU profile (skipped with --no-breakdown).
import { type Classifier, libraryOf } from "./bench-util.ts";

const has = (stack: readonly { functionName: string; url: string }[], pred: (f: { functionName: string; url: string }) => boolean) =>
  stack.some(pred);

const DECODE = ["mergeHistograms", "addEncoded", "addV2", "v2Bytes", "decodeHistogram", "decodeV2", "readRuns"];
const SUMMARY = [
  "summarize",
  "summarizeEncoded",
  "summarizeMerged",
  "runsSummary",
  "runsPercentiles",
  "runsValueSum",
  "librarySummary",
  "latencyCurve",
];
const inCore = (f: { url: string }) => f.url.includes("/packages/core/");

export const queryClassifier: Classifier = {
  stackRule(stack) {
    if (has(stack, (f) => f.functionName === "newLatencyHistogram"))
      return "newLatencyHistogram: a fresh histogram per merge (allocation, zeroing)";
    if (has(stack, (f) => DECODE.includes(f.functionName) && inCore(f))) return "histogram decode (+ merge when several)";
    if (has(stack, (f) => SUMMARY.includes(f.functionName) && inCore(f))) return "percentiles + mean (one pass)";
    if (stack[0]?.url === "" && stack[0].functionName === "stringify") return "JSON.stringify (hono c.json)";
    if (has(stack, (f) => f.url.includes("undici"))) return "fetch client in this process (undici: HTTP parsing, body)";
    if (stack[0]?.url === "" && stack[0].functionName === "parse" && has(stack, (f) => f.url.includes("/node_modules/postgres/")))
      return "postgres.js (wire protocol, (de)serialising rows)";
    return undefined;
  },
  frameRule(f) {
    const lib = libraryOf(f);
    if (lib) return lib;
    if (f.url.includes("/packages/core/src/metrics-math.ts")) return "metrics math (pointOf, requestStats, series: the rest)";
    if (f.url.includes("/packages/projections/src/")) return "queries glue (routes, asBucket, read model)";
    if (f.url.includes("/packages/core/src/")) return "core (other)";
    if (f.url.includes("/bench/")) return "bench harness";
    return undefined;
  },
};
