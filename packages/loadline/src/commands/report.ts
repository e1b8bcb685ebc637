import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { REPORT_FORMATS, type ReportFormat } from "@loadline/core";
import type { LoadlineClient } from "../client.ts";
import { chromiumAvailable, printPdf } from "../report-pdf.ts";
import { type CommandContext, withApi } from "./context.ts";

const BY_EXTENSION: Record<string, ReportFormat> = {
  ".html": "html",
  ".htm": "html",
  ".json": "json",
  ".csv": "csv",
  ".xml": "junit",
  ".pdf": "pdf",
};

export class ReportError extends Error {}

/** The format a report file asks for by its extension: `report.html`, `junit.xml`... */
export function formatOfFile(file: string): ReportFormat | undefined {
  return BY_EXTENSION[extname(file).toLowerCase()];
}

/** The format given, else the one `--out`'s extension names, else HTML. */
export function reportFormat(format: string | undefined, out: string | undefined): ReportFormat {
  if (format !== undefined) {
    if (!(REPORT_FORMATS as readonly string[]).includes(format))
      throw new ReportError(`--format: must be one of ${REPORT_FORMATS.join(", ")}`);
    return format as ReportFormat;
  }
  return (out && formatOfFile(out)) || "html";
}

/**
 * A run's report from the API, as bytes. A PDF the API cannot print (no Chromium there: 501) is
 * printed here from the HTML report when this machine has Chromium.
 */
export async function fetchReport(api: LoadlineClient, runId: string, format: ReportFormat): Promise<Uint8Array> {
  const res = await api.fetch(`/v1/runs/${encodeURIComponent(runId)}/report?format=${format}`).catch((e: unknown) => {
    throw new ReportError(`cannot reach the API at ${api.baseUrl}: ${(e as Error).message}`);
  });
  if (res.status === 501 && format === "pdf" && chromiumAvailable())
    return printPdf(new TextDecoder().decode(await fetchReport(api, runId, "html")));
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new ReportError(`report of run ${runId}: HTTP ${res.status}: ${body?.error?.message ?? res.statusText}`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** Writes a run's report to `out`, or to stdout. */
export async function writeReport(api: LoadlineClient, runId: string, format: ReportFormat, out: string | undefined): Promise<void> {
  const bytes = await fetchReport(api, runId, format);
  if (out) await writeFile(out, bytes);
  else await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));
}

/** `loadline report <runId> [--format F] [--out FILE] [--api URL]`: 0 when written, 1 when the API refused, 2 on bad usage. */
export async function report(
  ctx: CommandContext,
  runId: string,
  opts: { format?: string | undefined; out?: string | undefined; apiUrl?: string | undefined },
): Promise<number> {
  let format: ReportFormat;
  try {
    format = reportFormat(opts.format, opts.out);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (!opts.out && !opts.apiUrl) {
    console.error("report: give --out FILE (stdout is for the embedded stack's messages), or --api URL");
    return 2;
  }
  return withApi(ctx, opts.apiUrl, async (api) => {
    try {
      await writeReport(api, runId, format, opts.out);
      if (opts.out) console.error(`Report of run ${runId} (${format}) written to ${opts.out}`);
      return 0;
    } catch (e) {
      if (!(e instanceof ReportError)) throw e;
      console.error(e.message);
      return 1;
    }
  });
}
