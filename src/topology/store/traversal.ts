/**
 * The columns `MemoryOptimizedTopology.traversal()` lends out for loops over many elements (the
 * streaming walk), which would otherwise pay a method call, and for the adjacency a view object, per
 * step. They are the store's own arrays: read-only by contract, nothing may write to them.
 */

/** Compressed sparse rows: group g is items[start[g] .. start[g + 1]]. */
export interface ReadonlyCsr {
  readonly start: ArrayLike<number>;
  readonly items: ArrayLike<number>;
}

export interface TraversalColumns {
  /** Per element, its type's index in ELEMENT_TYPES. */
  readonly elementTypes: ArrayLike<number>;
  /** Per connection, its type's index in CONNECTION_TYPES, and its ends (element indexes). */
  readonly connectionTypes: ArrayLike<number>;
  readonly connectionSources: ArrayLike<number>;
  readonly connectionTargets: ArrayLike<number>;
  /** Connection indexes leaving / entering element e: items[start[e] .. start[e + 1]], ascending. */
  readonly outgoing: ReadonlyCsr;
  readonly incoming: ReadonlyCsr;
}
