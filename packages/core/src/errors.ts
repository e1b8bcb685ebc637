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

/** Another writer appended to the aggregate first (JetStream API error 10071). */
export class ConcurrencyError extends Error {
  constructor(
    readonly subject: string,
    readonly expectedVersion: number,
  ) {
    super(`wrong last sequence for ${subject}: expected ${expectedVersion}`);
    this.name = "ConcurrencyError";
  }
}
