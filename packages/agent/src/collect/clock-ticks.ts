import { execFileSync } from "node:child_process";

/** The kernel's clock ticks per second (USER_HZ), in which /proc reports CPU time: 100 on Linux, asked once. */
export function clockTicks(): number {
  try {
    const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 2_000 }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
