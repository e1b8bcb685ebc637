import { expect } from "vitest";
import type { ErrorBody } from "./http.ts";

/** An error answer as the tests read it: its status and its JSON error, which must be JSON. */
export async function errorOf(res: Response): Promise<{ status: number } & ErrorBody["error"]> {
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: res.status, ...((await res.json()) as ErrorBody).error };
}
