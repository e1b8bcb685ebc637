import type { ThinkStep } from "@loadline/core";

/** A source of uniform numbers in [0, 1), as Math.random; injected so tests can seed it. */
export type Random = () => number;

/** A think time's duration in ms, drawn from its distribution; never negative. */
export type ThinkSampler = (random: Random) => number;

export function thinkSampler(step: ThinkStep): ThinkSampler {
  switch (step.distribution) {
    case "constant": {
      const { ms } = step;
      return () => ms;
    }
    case "uniform": {
      // Validation does not order the bounds: take them either way round.
      const min = Math.min(step.minMs, step.maxMs);
      const span = Math.abs(step.maxMs - step.minMs);
      return (random) => min + span * random();
    }
    case "normal": {
      const { meanMs, stddevMs } = step;
      return (random) => Math.max(0, meanMs + stddevMs * standardNormal(random));
    }
  }
}

/** Box-Muller: one standard normal draw from two uniform ones. */
export function standardNormal(random: Random): number {
  const u1 = 1 - random(); // in (0, 1]: log(0) is not a number
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
