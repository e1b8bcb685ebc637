import type { Outcome, PreparedRequest } from "./http-target.ts";

export type VirtualUser = {
  requests: readonly PreparedRequest[];
  send(req: PreparedRequest, signal: AbortSignal): Promise<Outcome>;
  record(req: PreparedRequest, outcome: Outcome): void;
  /** False once the run stops: the user sends no further request. */
  running(): boolean;
  signal: AbortSignal;
};

/** After a request got no response at all, wait a little so a refused target does not spin a hot loop. */
export const NO_RESPONSE_PAUSE_MS = 100;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A closed-model user: sends the requests in order, each after the previous answered, until stopped. */
export async function runVirtualUser(user: VirtualUser): Promise<void> {
  if (user.requests.length === 0) return;
  for (;;) {
    for (const req of user.requests) {
      if (!user.running()) return;
      const outcome = await user.send(req, user.signal);
      user.record(req, outcome);
      if (!outcome.responded && user.running()) await pause(NO_RESPONSE_PAUSE_MS);
    }
  }
}
