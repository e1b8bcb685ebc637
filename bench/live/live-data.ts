// What the live section measures, and its defaults.

export const LIVE_DEFAULTS = {
  /** Reading clients of one run, a row each. */
  clients: [1, 100, 1000],
  /** The stalled row: this many clients that never read, beside `stalledWith` reading ones. */
  stalled: 200,
  stalledWith: 100,
  /** The stalled row's run: longer, with more names (bigger messages), so that what a stalled client is sent outgrows the sockets' buffers. */
  stalledDurationSec: 60,
  stalledEndpoints: 50,
  /** Each run: `users` VUs for `durationSec` on `endpoints` request names, each GET /fixed?ms=5 of the demo target. */
  durationSec: 20,
  users: 4,
  endpoints: 5,
  /** How often the harness reads the checkpoints (ms). */
  pollMs: 10,
  /** The goal: p99 of the lag behind the projection below this, at the largest row. */
  goalMs: 1000,
};

export type LiveOptions = Partial<Omit<typeof LIVE_DEFAULTS, "clients">> & {
  clients?: number[];
  /** Skip the stalled row. */
  noStalled?: boolean;
  log?: (m: string) => void;
  cleanups?: { add(what: string, run: () => Promise<unknown>): void };
};

export type LiveRow = {
  clients: number;
  stalled: number;
  runId: string;
  /** The run's length and request names. */
  runSpec: string;
  /** Streams opened (200) of `clients`, and how long from the first request to the last opening. */
  opened: number;
  openMs: number;
  /** From the first request to the last client's first message (the server had read the run for every client). */
  readyMs: number;
  /** `second` messages taken by all reading clients. */
  messages: number;
  /** KiB of `second` data a reading client took, on average. */
  kibPerClient: number;
  /** Seconds of the run in the read model at the end (a fresh client's replay). */
  seconds: number;
  /** Reading clients that did not end holding every second with its final figures, or saw no `end`. */
  missed: number;
  noEnd: number;
  repeats: number;
  errors: string[];
  /** Messages timed (their sequence was committed after the client's stream opened), and the rest (history caught up from the read model). */
  timed: number;
  catchUp: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  /** The same, of the messages committed after the last client's first message (every client served). */
  steadyTimed: number;
  steadyP50: number;
  steadyP99: number;
  steadyMax: number;
  /** This process (the clients) over the row: CPU in % of one core, and its event loop's delay p99 (ms): a busy harness lengthens the lags it measures. */
  harnessCpuPct: number;
  harnessLoopDelayP99: number;
  /** Of the API process (the whole stack: it also generates the load and projects), from the first opening to the last `end`. */
  apiCpuPct: number;
  apiRssBeforeMb: number;
  apiRssPeakMb: number;
  /** After every client of the row closed. */
  apiRssAfterMb: number;
  /** Metrics stream's last sequence − the metrics checkpoint: largest sample while the row ran, and when its last client got `end`. */
  backlogMax: number;
  backlogEnd: number;
  /** Stalled clients whose stream the server ended before the harness closed it. */
  stalledEndedByServer: number;
  stalledOpened: number;
  goal: string;
  met: boolean | undefined;
};

export type LiveData = {
  machine: string;
  loadAverageBefore: string;
  loadAverageAfter: string;
  options: Omit<typeof LIVE_DEFAULTS, "goalMs"> & { noStalled: boolean };
  pinned: string;
  spec: string;
  rows: LiveRow[];
  /** Checkpoint reads by the harness: how many, and the slowest (ms). */
  checkpointPolls: number;
  checkpointSlowestMs: number;
  failure?: string;
};
