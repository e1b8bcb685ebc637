// snappyjs ships no types: the two functions used here (Snappy's block format, as remote write wants).
declare module "snappyjs" {
  export function compress(uncompressed: Uint8Array): Uint8Array;
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}
