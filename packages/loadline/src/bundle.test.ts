import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const BUILD = fileURLToPath(new URL("../../../scripts/build-service.mjs", import.meta.url));

describe("the loadline bundle", () => {
  it("carries the engine thread beside the CLI, loadable from the bundle alone", async () => {
    // Inside the package, so that the bundle's npm imports resolve as they do from dist/.
    const out = await mkdtemp(join(PACKAGE, ".bundle-test-"));
    try {
      await promisify(execFile)(process.execPath, [BUILD, out], { cwd: PACKAGE });
      expect((await readdir(out)).filter((f) => f.endsWith(".js")).sort()).toEqual(["cli.js", "thread-entry.js"]);
      // The web console's assets, prebuilt: the bundle serves them without building (nor loading esbuild).
      expect((await readdir(join(out, "console"))).sort()).toEqual(["app.css", "app.js"]);
      expect(await readFile(join(out, "cli.js"), "utf8")).not.toMatch(/^import .* from "esbuild"/m);
      // Started with no plan it fails on the plan, not on a module it cannot find.
      const thread = new Worker(pathToFileURL(join(out, "thread-entry.js")), { workerData: {} });
      const failure = await new Promise<Error>((resolve) => thread.once("error", resolve));
      expect(failure.message).not.toMatch(/cannot find|not found/i);
      expect(failure.message).toMatch(/scenarios/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 60_000);
});
