export { ApiError, LoadlineClient } from "./client.ts";
export { type DemoTarget, startDemoTarget } from "./demo-target.ts";
export { type EmbeddedNats, findNatsServer, freePort, startEmbeddedNats, waitForPort } from "./embedded-nats.ts";
export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable, launchChromium, PdfPrinter, printPdf } from "./report-pdf.ts";
export { type Stack, type StackOptions, startStack } from "./stack.ts";
export { formatProgress, formatSummary } from "./summary.ts";
