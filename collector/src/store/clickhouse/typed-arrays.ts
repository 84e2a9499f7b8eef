/** Typed arrays indexed by slot grow by copying into a larger one of the same type. */
export type SlotArray = Uint8Array | Int32Array | Uint32Array | Float64Array;

/** A copy of `a` in a new array of `size` elements, zeros after the copy. */
export function grown<A extends SlotArray>(a: A, size: number): A {
  const b = new (a.constructor as new (n: number) => A)(size);
  b.set(a);
  return b;
}
