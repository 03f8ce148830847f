/**
 * `--shard i/n`: a deterministic split of the scenarios over n CI jobs, for `heapgate merge` to join.
 *
 * The split depends only on the scenarios' names (and optional weights), never on the order the files
 * were found or listed in, so every job of a matrix computes the same partition on its own, and every
 * scenario lands in exactly one shard. Scenarios are ordered by a hash of their name (a stable, even
 * spread, so families of similarly named scenarios do not pile up in one shard), heaviest first when
 * weights are given, and each goes to the shard with the least weight so far (lowest index on ties):
 * with equal weights that is a round robin, so shard sizes differ by at most one.
 * Adding or removing a scenario may move others between shards; that is harmless, since each CI run
 * computes its partition afresh and `merge` checks that no scenario ran twice.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

const SHARD = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** `2/3` → { index: 2, total: 3 }. `where` names the flag or setting in messages (e.g. `--shard`). */
export function parseShard(text: string, where: string): Shard {
  const match = SHARD.exec(text);
  if (!match) {
    throw new UsageError(
      `${where}: expected i/n, the shard to run and the number of shards (e.g. 2/3), got '${text}'`,
    );
  }
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (!Number.isSafeInteger(total) || total < 1) {
    throw new UsageError(`${where}: the number of shards must be at least 1, got '${text}'`);
  }
  if (!Number.isSafeInteger(index) || index < 1 || index > total) {
    throw new UsageError(
      `${where}: the shard must be between 1 and ${total} (shards count from 1), got '${text}'`,
    );
  }
  return { index, total };
}

function nameHash(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}

/**
 * The items of shard `shard.index` of `shard.total`, in their original order. `weight` (default 1 each)
 * is the expected cost of an item, e.g. its iterations, to balance shards by work rather than count;
 * it must be a function of the item alone for the split to stay deterministic.
 */
export function shardScenarios<T extends { name: string }>(
  items: T[],
  shard: Shard,
  weight: (item: T) => number = () => 1,
): T[] {
  if (shard.total <= 1) return [...items];
  const keyed = items.map((item, position) => {
    const w = weight(item);
    return { item, position, hash: nameHash(item.name), weight: Number.isFinite(w) && w > 0 ? w : 1 };
  });
  const ordered = [...keyed].sort(
    (a, b) =>
      b.weight - a.weight ||
      (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0) ||
      (a.item.name < b.item.name ? -1 : a.item.name > b.item.name ? 1 : 0),
  );
  const load = new Array<number>(shard.total).fill(0);
  const mine = new Set<number>();
  for (const entry of ordered) {
    let target = 0;
    for (let s = 1; s < shard.total; s++) if (load[s] < load[target]) target = s;
    load[target] += entry.weight;
    if (target === shard.index - 1) mine.add(entry.position);
  }
  return items.filter((_, position) => mine.has(position));
}
