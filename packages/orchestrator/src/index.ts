export { type AccessRoutesDeps, accessWriteRoutes } from "./access-routes.ts";
export { CommandHandler } from "./command-handler.ts";
export { FleetMonitor, type LostWorker } from "./fleet.ts";
export { fleetRoutes } from "./fleet-routes.ts";
export { DEFAULT_LEASE_TIMINGS, KvLease, type LeaseTimings, openLeaseBucket } from "./kv-lease.ts";
export { Orchestrator, type OrchestratorOptions } from "./orchestrator.ts";
export { type Candidate, type Plan, planReassignment, planRun } from "./planner.ts";
export { type WriteRoutesDeps, writeRoutes } from "./routes.ts";
export { DEFAULT_TIMINGS, RunSupervisor, type SupervisorTimings } from "./run-supervisor.ts";
