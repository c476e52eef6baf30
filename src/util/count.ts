/** A count with thousands separators, as messages show it: 1,223 operations, 505,150 items. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
