import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { loadSync, MethodDefinition } from "@grpc/proto-loader";
import { type GrpcStep, protoImportError } from "@loadline/core";
import { protoLoader } from "./grpc-modules.ts";

/** A method of a compiled proto, as a call needs it: its path, its kind, and its messages' codecs. */
export type GrpcMethod = {
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly serverStreaming: boolean;
  /** The request as JSON (proto field names) to protobuf bytes. */
  readonly serialize: (message: object) => Buffer;
  /** Protobuf bytes to the response as JSON: 64-bit integers as strings, enums by name, bytes as base64, defaults filled. */
  readonly deserialize: (bytes: Buffer) => object;
};

const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, bytes: String, defaults: true, oneofs: true } as const;

/**
 * The proto's package definition. proto-loader reads files only, so the text goes to a private
 * temporary directory for the load, removed at once; imports other than google/protobuf/* are
 * refused first (the loader would read any path named, and quote it in its errors).
 */
export function loadProtoDefinition(proto: string): ReturnType<typeof loadSync> {
  const imports = protoImportError(proto);
  if (imports) throw new Error(imports);
  const dir = mkdtempSync(join(tmpdir(), "loadline-proto-"));
  try {
    const file = join(dir, "step.proto");
    writeFileSync(file, proto, { mode: 0o600 });
    return protoLoader().loadSync(file, LOADER_OPTIONS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why a proto's load failed, without the temporary file's path. */
const loadError = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\/\S*loadline-proto-\w+\//g, "");

/**
 * Compiles a grpc step's proto and finds its method. Throws, naming the step's field, when the
 * proto does not compile, lacks the service or method, or the method is not of the kind the step
 * says (unary, or server-streaming with `stream`): the worker refuses the run with that reason.
 */
export function compileGrpcMethod(step: GrpcStep): GrpcMethod {
  let definition: ReturnType<typeof loadSync>;
  try {
    definition = loadProtoDefinition(step.proto);
  } catch (error) {
    throw new Error(`grpc step proto: ${loadError(error)}`);
  }
  const service = definition[step.service];
  if (!service || "format" in service) {
    const services = Object.keys(definition).filter((k) => !("format" in definition[k]!));
    throw new Error(`grpc step service: the proto has no service ${step.service} (it has ${services.join(", ") || "none"})`);
  }
  const method = (service as Record<string, MethodDefinition<object, object> | undefined>)[step.method];
  if (!method)
    throw new Error(`grpc step method: ${step.service} has no method ${step.method} (it has ${Object.keys(service).join(", ")})`);
  if (method.requestStream)
    throw new Error(`grpc step method: ${step.method} streams its requests; only unary and server-streaming calls are supported`);
  if (method.responseStream !== (step.stream !== undefined))
    throw new Error(
      method.responseStream
        ? `grpc step stream: ${step.method} is server-streaming: the step needs a stream field (stream: {} reads to the end)`
        : `grpc step stream: ${step.method} is unary: a stream field is for server-streaming methods`,
    );
  return {
    path: method.path,
    serverStreaming: method.responseStream,
    serialize: method.requestSerialize,
    deserialize: method.responseDeserialize,
  };
}
