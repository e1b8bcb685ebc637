/** @loadline/core/testing: what tests of every package share, with no I/O of its own. */
export { type EventStoreCase, eventStoreContract } from "./event-store-contract.ts";
export { eventually } from "./eventually.ts";
export { OPEN_PLATFORM } from "./open-platform.ts";
