// Entry ranks as plain integers: lists sorted ascending, intersected and searched without touching the entries.

/** Whether an ascending list holds the rank (binary search). */
export function hasRank(list: ArrayLike<number>, rank: number): boolean {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (list[middle] === rank) {
      return true;
    }
    if (list[middle] < rank) {
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return false;
}

/** The first position in an ascending list, from `from` on, whose rank is not below `rank` (binary search). */
function lowerBound(list: ArrayLike<number>, rank: number, from: number): number {
  let low = from;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle] < rank) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/**
 * The ranks in every one of the ascending lists, ascending: the smallest list is narrowed by each of the others in
 * turn (stepping through a list of similar size, binary searching a much longer one), stopping once nothing is left.
 */
export function intersectRanks(lists: ReadonlyArray<ArrayLike<number>>): number[] {
  if (lists.length === 0) {
    return [];
  }
  const [smallest, ...others] = [...new Set(lists)].sort((a, b) => a.length - b.length);
  let found = Array.from(smallest);
  for (const list of others) {
    if (found.length === 0) {
      break;
    }
    const jump = found.length * 8 < list.length;
    const kept: number[] = [];
    let at = 0;
    for (const rank of found) {
      if (jump) {
        at = lowerBound(list, rank, at);
      } else {
        while (at < list.length && list[at] < rank) {
          at += 1;
        }
      }
      if (at < list.length && list[at] === rank) {
        kept.push(rank);
      }
    }
    found = kept;
  }
  return found;
}

// The best few of many matches without sorting them all: a bounded max-heap keeps the `limit` smallest keys seen.

/** The `limit` smallest of the keys, ascending; keys are distinct numbers (a penalty and a rank folded into one). */
export function smallestKeys(keys: readonly number[], limit: number): number[] {
  if (limit <= 0) {
    return [];
  }
  if (keys.length <= limit) {
    return [...keys].sort((a, b) => a - b);
  }
  const heap: number[] = [];
  for (const key of keys) {
    if (heap.length < limit) {
      heap.push(key);
      siftUp(heap, heap.length - 1);
    } else if (key < heap[0]) {
      heap[0] = key;
      siftDown(heap, 0);
    }
  }
  return heap.sort((a, b) => a - b);
}

function siftUp(heap: number[], at: number): void {
  let child = at;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (heap[parent] >= heap[child]) {
      return;
    }
    [heap[parent], heap[child]] = [heap[child], heap[parent]];
    child = parent;
  }
}

function siftDown(heap: number[], at: number): void {
  let parent = at;
  for (;;) {
    const left = 2 * parent + 1;
    const right = left + 1;
    let largest = parent;
    if (left < heap.length && heap[left] > heap[largest]) {
      largest = left;
    }
    if (right < heap.length && heap[right] > heap[largest]) {
      largest = right;
    }
    if (largest === parent) {
      return;
    }
    [heap[parent], heap[largest]] = [heap[largest], heap[parent]];
    parent = largest;
  }
}
