export type NetCounters = { rxBytes: number; rxPackets: number; txBytes: number; txPackets: number };

/** Parses /proc/net/dev and sums every interface but loopback (traffic to itself is not the host's network). */
export function parseNetDev(text: string): NetCounters {
  const sum: NetCounters = { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 10) continue;
    sum.rxBytes += f[0] ?? 0;
    sum.rxPackets += f[1] ?? 0;
    sum.txBytes += f[8] ?? 0;
    sum.txPackets += f[9] ?? 0;
  }
  return sum;
}
