// What the `events` subcommands share: their refusal (with its exit code), the command line's
// options, and writing lines out.
import { once } from "node:events";
import type { Writable } from "node:stream";

/** A refusal with its exit code: 1 when the environment says no, 2 when the input is wrong. */
export class EventsCommandError extends Error {
  override name = "EventsCommandError";
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

export type Warn = (message: string) => void;
export const toStderr: Warn = (message) => process.stderr.write(`${message}\n`);

/** Writes a line, waiting when the destination is full so a slow pipe bounds memory. */
export async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, "drain");
}

export type EventsCliOptions = {
  run?: string | undefined;
  tenant?: string | undefined;
  out?: string | undefined;
  in?: string | undefined;
  subject?: string | undefined;
  limit?: string | undefined;
  "from-start"?: boolean | undefined;
};
