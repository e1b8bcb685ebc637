export { Orchestrator, type OrchestratorOptions } from "./orchestrator.ts";
export { CommandHandler } from "./command-handler.ts";
export { RunSupervisor, DEFAULT_TIMINGS, type SupervisorTimings } from "./run-supervisor.ts";
export { planRun, planReassignment, type Candidate, type Plan } from "./planner.ts";
export { FleetMonitor, type LostWorker } from "./fleet.ts";
export { KvLease, openLeaseBucket, DEFAULT_LEASE_TIMINGS, type LeaseTimings } from "./kv-lease.ts";
export { fleetRoutes } from "./fleet-routes.ts";
export { writeRoutes, type WriteRoutesDeps } from "./routes.ts";
