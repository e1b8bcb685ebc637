import { readFileSync, writeFileSync } from "node:fs";
import { EXIT } from "../exit-codes.ts";
import { ImportError, type ImportOptions, type ImportResult } from "../import/draft.ts";
import { importHar } from "../import/har.ts";
import { schemaIssues } from "../import/validate.ts";
import { toYaml } from "../import/yaml-writer.ts";

export const IMPORT_FORMATS = ["har", "postman", "openapi"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportCommandOptions = ImportOptions & {
  out?: string;
  /** har: other hosts to keep, comma-separated. */
  includeHosts?: string;
  /** har: headers left out by default to keep, comma-separated. */
  keepHeaders?: string;
};

const list = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The converter of the format. Postman's SDK and the OpenAPI parser are loaded only when used: every other command starts without them. */
async function convert(format: ImportFormat, text: string, file: string, opts: ImportCommandOptions): Promise<ImportResult> {
  const common: ImportOptions = { ...(opts.targetUrl ? { targetUrl: opts.targetUrl } : {}), ...(opts.name ? { name: opts.name } : {}) };
  switch (format) {
    case "har":
      return importHar(text, { ...common, fileName: file, includeHosts: list(opts.includeHosts), keepHeaders: list(opts.keepHeaders) });
    case "postman":
      return (await import("../import/postman.ts")).importPostman(text, common);
    case "openapi":
      return (await import("../import/openapi.ts")).importOpenApi(text, common);
  }
}

/**
 * `loadline import har|postman|openapi FILE`: writes a test file made from a recording or a
 * description to --out (default stdout). Exit 2 when the input cannot be imported or an option
 * is wrong. The file is checked against the schema the API applies: an issue is said (and the
 * file still written, to be fixed by hand), exit 1.
 */
export async function importCommand(format: string | undefined, file: string | undefined, opts: ImportCommandOptions): Promise<number> {
  if (!IMPORT_FORMATS.includes(format as ImportFormat) || !file) {
    console.error(`usage: loadline import ${IMPORT_FORMATS.join("|")} FILE [--target-url URL] [--out test.yaml] [--name NAME]`);
    return EXIT.refused;
  }
  if (opts.targetUrl !== undefined && !/^https?:\/\/[^/]+/i.test(opts.targetUrl)) {
    console.error(`--target-url ${opts.targetUrl}: an http(s) URL`);
    return EXIT.refused;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    console.error(`${file}: ${(e as Error).message}`);
    return EXIT.refused;
  }
  let result: ImportResult;
  try {
    result = await convert(format as ImportFormat, text, file, opts);
  } catch (e) {
    if (e instanceof ImportError) {
      console.error(`${file}: ${e.message}`);
      return EXIT.refused;
    }
    throw e;
  }
  const yaml = toYaml(result);
  if (opts.out) writeFileSync(opts.out, yaml);
  else process.stdout.write(yaml);
  const steps = result.test.scenarios.reduce((n, s) => n + s.steps.filter((step) => step.type === "request").length, 0);
  const scenarios = result.test.scenarios.length;
  if (opts.out)
    console.error(`${opts.out}: ${steps} requests in ${scenarios} scenario${scenarios === 1 ? "" : "s"}, from ${result.notes.source}`);
  const issues = schemaIssues(yaml);
  for (const issue of issues) console.error(`${issue} (edit the file before running it)`);
  return issues.length > 0 ? EXIT.failed : EXIT.completed;
}
