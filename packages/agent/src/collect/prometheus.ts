import { parsePrometheusText, parseSelector, type Selector, selectSeries } from "../parse/prometheus.ts";
import { fetchText } from "./fetch-text.ts";

/** The selected series of the SUT's Prometheus endpoint, read each interval (gauges and counters as they are). */
export class PrometheusSource {
  private readonly selectors: Selector[];

  constructor(private readonly config: { url: string; series: readonly string[]; timeoutMs: number; maxSeries: number }) {
    this.selectors = config.series.map(parseSelector);
  }

  async collect(): Promise<Record<string, number>> {
    const text = await fetchText(this.config.url, this.config.timeoutMs);
    return selectSeries(parsePrometheusText(text), this.selectors, this.config.maxSeries);
  }
}
