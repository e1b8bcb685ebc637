import { type Logger, pino } from "pino";

export type { Logger };

/** JSON logs on stdout, one logger per service, child loggers per component. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ name: service, level, base: { service } });
}
