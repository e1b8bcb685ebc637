import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`); CHROMIUM_PATH names another. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless, and quiet: no sandbox (root in a container), no GPU, nothing fetched in the background. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
] as const;

/** Whether this machine can print PDFs: the browser is there. */
export const chromiumAvailable = (path = CHROMIUM_PATH): boolean => existsSync(path);

/** Launches headless Chromium through playwright-core (loaded only when needed: the API starts without it). */
export async function launchChromium(path = CHROMIUM_PATH): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: path, headless: true, args: [...CHROMIUM_ARGS] });
}

/** How long one page may take to print. */
const PRINT_TIMEOUT_MS = 30_000;

/**
 * A printer of HTML to PDF: one browser and one page, made at the first report and kept (a
 * launch costs ~1 s, a new page ~0.5 s), printing one report at a time; after a failure, or once
 * the browser is gone, the next print makes them again. The page runs no script and may fetch
 * nothing (a report is self-contained): it is offline, and every request it makes is refused.
 */
export class PdfPrinter {
  private page: Promise<Page> | null = null;
  private browser: Browser | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly path = CHROMIUM_PATH) {}

  private async open(): Promise<Page> {
    if (!this.browser) {
      const browser = await launchChromium(this.path);
      browser.on("disconnected", () => {
        if (this.browser === browser) this.drop();
      });
      this.browser = browser;
    }
    const context = await this.browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    page.setDefaultTimeout(PRINT_TIMEOUT_MS);
    await page.route("**/*", (route) => route.abort());
    await page.emulateMedia({ media: "print" });
    return page;
  }

  private drop(): void {
    const browser = this.browser;
    this.browser = null;
    this.page = null;
    void browser?.close().catch(() => undefined);
  }

  /** Launches the browser and opens the page now rather than at the first report (a launch takes 1 to 3 s). */
  warm(): Promise<void> {
    return this.print("<!doctype html><title>warm-up</title>").then(() => undefined);
  }

  readonly print = (html: string): Promise<Uint8Array> => {
    const job = this.queue.then(async () => {
      if (this.closed) throw new Error("the PDF printer is closed");
      this.page ??= this.open();
      try {
        const page = await this.page;
        await page.setContent(html, { waitUntil: "load" });
        const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
        await page.setContent("");
        return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
      } catch (e) {
        this.drop();
        throw e;
      }
    });
    this.queue = job.catch(() => undefined);
    return job;
  };

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const browser = this.browser;
    this.browser = null;
    this.page = null;
    await browser?.close().catch(() => undefined);
  }
}

/** Prints one HTML document to PDF with a browser of its own (the CLI's way: once, then gone). */
export async function printPdf(html: string, path = CHROMIUM_PATH): Promise<Uint8Array> {
  const printer = new PdfPrinter(path);
  try {
    return await printer.print(html);
  } finally {
    await printer.close();
  }
}
