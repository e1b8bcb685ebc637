import {
  encodeHistogram,
  type GroupWindow,
  type MetricWindow,
  mergeGeneratorHealth,
  mergeHistograms,
  protocolOf,
  type RequestWindow,
} from "@loadline/core";

const addCounts = (into: Record<string, number>, from: Record<string, number> | undefined): void => {
  for (const [k, n] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + n;
};

const sumOf = (parts: readonly MetricWindow[], f: (w: MetricWindow) => number | undefined): number =>
  parts.reduce((n, w) => n + (f(w) ?? 0), 0);

/**
 * The windows of one second from several threads as one window, exactly: counts add up,
 * histograms are decoded and added (not percentiles averaged). Active users add up too:
 * each thread reports its own peak of the second, so the sum bounds the true peak from above.
 */
export function mergeWindows(parts: readonly MetricWindow[]): MetricWindow {
  const first = parts[0];
  if (!first) throw new Error("no window to merge");
  if (parts.length === 1) return first;
  if (parts.some((w) => w.second !== first.second)) throw new Error("windows of different seconds");

  const byRequest = new Map<string, RequestWindow[]>();
  for (const w of parts) {
    for (const r of w.requests) {
      const key = `${r.method} ${r.name}`;
      const list = byRequest.get(key);
      if (list) list.push(r);
      else byRequest.set(key, [r]);
    }
  }
  const requests = [...byRequest.values()].map(mergeRequests);
  const merged: MetricWindow = {
    runId: first.runId,
    workerId: first.workerId,
    second: first.second,
    activeUsers: sumOf(parts, (w) => w.activeUsers),
    requests,
    iterations: sumOf(parts, (w) => w.iterations),
    droppedIterations: sumOf(parts, (w) => w.droppedIterations),
    checksPassed: sumOf(parts, (w) => w.checksPassed),
    checksFailed: sumOf(parts, (w) => w.checksFailed),
  };
  // Left out when none, as each thread's window leaves it out.
  const interruptedIterations = sumOf(parts, (w) => w.interruptedIterations);
  if (interruptedIterations > 0) merged.interruptedIterations = interruptedIterations;
  if (parts.some((w) => w.paused)) merged.paused = true;
  const generator = mergeGeneratorHealth(parts.flatMap((w) => (w.generator ? [w.generator] : [])));
  if (generator) merged.generator = generator;
  const groups = mergeGroups(parts);
  if (groups.length > 0) merged.groups = groups;
  return merged;
}

/** The groups of several threads' windows, by name: counts add up, histograms merge. */
function mergeGroups(parts: readonly MetricWindow[]): GroupWindow[] {
  const byName = new Map<string, GroupWindow[]>();
  for (const w of parts) for (const g of w.groups ?? []) byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  return [...byName.values()].map((list) =>
    list.length === 1
      ? list[0]!
      : {
          name: list[0]!.name,
          count: list.reduce((n, g) => n + g.count, 0),
          failures: list.reduce((n, g) => n + g.failures, 0),
          histogram: encodeHistogram(mergeHistograms(list.map((g) => g.histogram))),
        },
  );
}

function mergeRequests(list: RequestWindow[]): RequestWindow {
  const first = list[0]!;
  if (list.length === 1) return first;
  const failuresByKind: Record<string, number> = {};
  const statusCodes: Record<string, number> = {};
  for (const r of list) {
    addCounts(failuresByKind, r.failuresByKind);
    addCounts(statusCodes, r.statusCodes);
  }
  const services = list.flatMap((r) => (r.serviceHistogram === undefined ? [] : [r.serviceHistogram]));
  const merged: RequestWindow = {
    name: first.name,
    method: first.method,
    count: list.reduce((n, r) => n + r.count, 0),
    failures: list.reduce((n, r) => n + r.failures, 0),
    bytesIn: list.reduce((n, r) => n + r.bytesIn, 0),
    bytesOut: list.reduce((n, r) => n + r.bytesOut, 0),
    histogram: encodeHistogram(mergeHistograms(list.map((r) => r.histogram))),
    failuresByKind,
    statusCodes,
  };
  if (services.length > 0) merged.serviceHistogram = encodeHistogram(mergeHistograms(services));
  const interrupted = list.reduce((n, r) => n + (r.interrupted ?? 0), 0);
  if (interrupted > 0) merged.interrupted = interrupted;
  const messagesIn = list.reduce((n, r) => n + (r.messagesIn ?? 0), 0);
  if (messagesIn > 0) merged.messagesIn = messagesIn;
  const messagesOut = list.reduce((n, r) => n + (r.messagesOut ?? 0), 0);
  if (messagesOut > 0) merged.messagesOut = messagesOut;
  const protocol = protocolOf(list);
  if (protocol !== undefined) merged.protocol = protocol;
  return merged;
}
