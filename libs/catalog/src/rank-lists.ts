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

/** The ranks in every one of the ascending lists, ascending; one pass over each list. */
export function intersectRanks(lists: ReadonlyArray<ArrayLike<number>>): number[] {
  if (lists.length === 0) {
    return [];
  }
  const [smallest, ...others] = [...lists].sort((a, b) => a.length - b.length);
  const at = others.map(() => 0);
  const found: number[] = [];
  for (let i = 0; i < smallest.length; i += 1) {
    const rank = smallest[i];
    const inAll = others.every((list, j) => {
      while (at[j] < list.length && list[at[j]] < rank) {
        at[j] += 1;
      }
      return list[at[j]] === rank;
    });
    if (inAll) {
      found.push(rank);
    }
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
