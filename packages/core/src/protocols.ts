/**
 * The protocols of merged figures, as a request window's `protocol` says them: one, or several
 * sorted and joined by ", " (a name whose responses came over both HTTP/1.1 and h2). Undefined
 * adds nothing: a window without responses, or from a worker that did not say.
 */
export function mergeProtocols(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || a === b) return b ?? a;
  if (b === undefined) return a;
  const all = new Set([...a.split(", "), ...b.split(", ")]);
  return [...all].sort().join(", ");
}

/** The protocol of some request windows together; undefined when none says one. */
export const protocolOf = (windows: readonly { protocol?: string | undefined }[]): string | undefined =>
  windows.reduce<string | undefined>((p, w) => mergeProtocols(p, w.protocol), undefined);
