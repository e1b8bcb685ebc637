import { createRequire } from "node:module";

/**
 * grpc-js and proto-loader, loaded when a plan first needs them: a worker or engine thread whose
 * plans have no gRPC step never pays their load (about 0.2 s of a thread's start on 2 cores).
 * Both are CommonJS, so a synchronous require serves the synchronous paths that compile a plan.
 */
const require = createRequire(import.meta.url);

export const grpcJs = (): typeof import("@grpc/grpc-js") => require("@grpc/grpc-js");
export const protoLoader = (): typeof import("@grpc/proto-loader") => require("@grpc/proto-loader");
