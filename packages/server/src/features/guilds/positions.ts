/**
 * Ordering of channels among their siblings and of roles in the hierarchy: positions are kept
 * contiguous (channels from 0, roles from 1 above @everyone's 0), so moving one item renumbers the
 * others the way a drag-and-drop list does.
 */

export interface Placed {
  readonly id: string;
  readonly position: number;
}

/**
 * Puts `id` at `index` among `siblings` (in their current order; `id` may be among them already or
 * new), clamped to the list, at the end when `index` is undefined, and numbers all from `first`.
 * Returns every item with its new position, in order.
 */
export function placeAt(
  siblings: readonly Placed[],
  id: string,
  index: number | undefined,
  first: number,
): Placed[] {
  const order = [...siblings]
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item) => item.id)
    .filter((other) => other !== id);
  const at = index === undefined ? order.length : Math.max(0, Math.min(index - first, order.length));
  order.splice(at, 0, id);
  return order.map((item, i) => ({ id: item, position: first + i }));
}

/** The siblings, renumbered from `first` in their current order (after one was removed). */
export function closeGaps(siblings: readonly Placed[], first: number): Placed[] {
  return [...siblings]
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item, i) => ({ id: item.id, position: first + i }));
}

/** The entries of `placed` whose position differs from the one `current` has. */
export function moved(placed: readonly Placed[], current: ReadonlyMap<string, number>): Placed[] {
  return placed.filter((item) => current.get(item.id) !== item.position);
}
