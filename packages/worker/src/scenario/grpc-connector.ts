import type { Client } from "@grpc/grpc-js";
import type { GrpcAddress, TlsOptions } from "@loadline/core";

/**
 * Where grpc steps get their channels: one grpc-js client per address and TLS options, under the
 * run's target policy as the transport's HTTP requests are (the worker's transport/grpc-channels.ts).
 */
export interface GrpcConnector {
  /** The client for `address`; rejects with a TransportFailure (`blocked`) when the target policy refuses it. */
  clientFor(address: GrpcAddress, tls: TlsOptions | undefined): Promise<Client>;
}
