/**
 * A count with thousands separators, as messages show it: 1,223 operations, 505,150 items.
 * Whole numbers are grouped by hand: the first toLocaleString of a process loads ICU's locale
 * data, several milliseconds of every start when a command's help text uses it.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
