import { type Logger, pino } from "pino";

export type { Logger };

/** JSON logs on stdout, one logger per service, child loggers per component. */
/** `destination`: where the JSON lines go instead of stdout (a test that reads what was logged). */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? "info",
  destination?: { write(line: string): void },
): Logger {
  return destination ? pino({ name: service, level, base: { service } }, destination) : pino({ name: service, level, base: { service } });
}
