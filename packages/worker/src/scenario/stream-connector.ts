import type { TlsOptions } from "@loadline/core";
import { type Dispatcher, getGlobalDispatcher } from "undici";

/**
 * Where the streaming steps (ws, sse) get their connections: an undici dispatcher per origin,
 * under the run's target policy as the transport's HTTP requests are (the worker's
 * transport/stream-connections.ts). Their connections last a step, so they are not pooled with
 * the keep-alive connections of the request steps.
 */
export interface StreamConnector {
  /**
   * The dispatcher that connects to `origin`, trusting what `tls` says over TLS; throws a
   * TransportFailure (`blocked`) when the target policy refuses it.
   */
  dispatcherFor(origin: string, tls?: TlsOptions): Dispatcher;
}

/** For transports without one (test doubles): undici's global dispatcher, no target policy. */
export const unguardedStreams: StreamConnector = { dispatcherFor: () => getGlobalDispatcher() };
