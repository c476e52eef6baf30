/**
 * Fair shares of a node budget. Small groups get everything they have; what is left is split evenly
 * among the larger ones. A group that does not fit whole gives one node of its share to the summary
 * node ("+N more ...") that stands for the rest.
 */

/**
 * How many items of each group to show when an item costs `itemCost` nodes and a cut group needs
 * one more node for its summary; the nodes used never add up to more than `budget`.
 */
export function shareOut(sizes: readonly number[], budget: number, itemCost = 1): number[] {
  const shown = sizes.map(() => 0);
  const order = sizes.map((_, i) => i).sort((a, b) => (sizes[a] as number) - (sizes[b] as number));
  let remaining = Math.max(0, Math.floor(budget));
  order.forEach((index, position) => {
    const share = Math.floor(remaining / (order.length - position));
    const size = sizes[index] as number;
    if (size * itemCost <= share) {
      shown[index] = size;
      remaining -= size * itemCost;
      return;
    }
    const give = Math.max(0, Math.floor((share - 1) / itemCost));
    shown[index] = give;
    remaining -= Math.min(share, give * itemCost + 1);
  });
  return shown;
}
