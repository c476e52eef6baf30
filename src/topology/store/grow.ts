/**
 * Typed arrays that grow by doubling while a topology is built and are cut to their exact length
 * when it is done, so a built store holds no spare capacity and its byte size is what it keeps.
 */

export type UintArray = Uint8Array | Uint16Array | Uint32Array;
type AnyTypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** A copy of `array` with room for at least `needed` items (the same array when it already fits). */
export function grow<T extends AnyTypedArray>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  let size = Math.max(16, array.length * 2);
  while (size < needed) size *= 2;
  const next = new (array.constructor as new (length: number) => T)(size);
  next.set(array as never);
  return next;
}

/**
 * The first `length` items in a buffer of their own (a view would keep the whole spare capacity
 * alive); the array itself when it is already exactly that long and owns its buffer.
 */
export function trim<T extends AnyTypedArray>(array: T, length: number): T {
  if (array.length === length && array.byteOffset === 0 && array.buffer.byteLength === array.byteLength)
    return array;
  return array.slice(0, length) as T;
}

/** `codes` (1..max, 0 for none) in the narrowest unsigned array that holds `max`. */
export function narrow(codes: Uint32Array, length: number, max: number): UintArray {
  const used = codes.subarray(0, length);
  if (max > 0xffff) return trim(codes, length);
  const out = max <= 0xff ? new Uint8Array(length) : new Uint16Array(length);
  out.set(used);
  return out;
}

/** A bit per item, set or clear. */
export function setBit(bits: Uint8Array, index: number): void {
  bits[index >>> 3]! |= 1 << (index & 7);
}

export function hasBit(bits: Uint8Array, index: number): boolean {
  return (bits[index >>> 3]! & (1 << (index & 7))) !== 0;
}
