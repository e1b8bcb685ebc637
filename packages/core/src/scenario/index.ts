export * from "./executors.ts";
export * from "./scenario.ts";
export * from "./template.ts";
export * from "./json-path.ts";
export * from "./normalize.ts";
export * from "./compile-run.ts";
export * from "./lanes.ts";
