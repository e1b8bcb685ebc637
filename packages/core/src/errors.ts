/** A command the domain refuses. `code` maps to an HTTP status at the edge. */
/** `forbidden`: the tenant may not (a target outside its allow-list, a quota passed). */
export type DomainErrorCode = "invalid" | "forbidden" | "not_found" | "conflict" | "precondition_failed";

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
