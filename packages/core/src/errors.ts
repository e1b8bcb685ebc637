/** A command the domain refuses. `code` maps to an HTTP status at the edge. */
export type DomainErrorCode = "invalid" | "not_found" | "conflict" | "precondition_failed";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** Another writer appended to the aggregate first: its last event is no longer at `expectedSeq`. */
export class ConcurrencyError extends Error {
  constructor(
    readonly stream: string,
    readonly expectedSeq: number,
  ) {
    super(`wrong last sequence for ${stream}: expected ${expectedSeq}`);
    this.name = "ConcurrencyError";
  }
}
