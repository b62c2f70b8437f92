// libstdc++'s std::sort, std::nth_element and std::partial_sort over an index permutation. PyTorch's CPU
// sort/topk/median kernels use these, and which of several tied elements comes first depends on their exact
// steps; reproducing them is what makes our indices match PyTorch's on ties.

/** Strict weak order on positions of the permutation's values. */
export type Less = (a: number, b: number) => boolean;

function lg(n: number): number {
  return 31 - Math.clz32(n);
}

function swap(p: number[], i: number, j: number): void {
  const t = p[i]!;
  p[i] = p[j]!;
  p[j] = t;
}

function moveMedianToFirst(p: number[], result: number, a: number, b: number, c: number, less: Less): void {
  if (less(p[a]!, p[b]!)) {
    if (less(p[b]!, p[c]!)) swap(p, result, b);
    else if (less(p[a]!, p[c]!)) swap(p, result, c);
    else swap(p, result, a);
  } else if (less(p[a]!, p[c]!)) swap(p, result, a);
  else if (less(p[b]!, p[c]!)) swap(p, result, c);
  else swap(p, result, b);
}

function unguardedPartition(p: number[], first: number, last: number, pivot: number, less: Less): number {
  for (;;) {
    while (less(p[first]!, p[pivot]!)) first++;
    last--;
    while (less(p[pivot]!, p[last]!)) last--;
    if (!(first < last)) return first;
    swap(p, first, last);
    first++;
  }
}

function partitionPivot(p: number[], first: number, last: number, less: Less): number {
  const mid = first + Math.floor((last - first) / 2);
  moveMedianToFirst(p, first, first + 1, mid, last - 1, less);
  return unguardedPartition(p, first + 1, last, first, less);
}

function unguardedLinearInsert(p: number[], i: number, less: Less): void {
  const val = p[i]!;
  let next = i - 1;
  while (less(val, p[next]!)) {
    p[i] = p[next]!;
    i = next;
    next--;
  }
  p[i] = val;
}

function insertionSort(p: number[], first: number, last: number, less: Less): void {
  if (first === last) return;
  for (let i = first + 1; i < last; i++) {
    if (less(p[i]!, p[first]!)) {
      const val = p[i]!;
      for (let k = i; k > first; k--) p[k] = p[k - 1]!;
      p[first] = val;
    } else unguardedLinearInsert(p, i, less);
  }
}

function pushHeap(p: number[], first: number, hole: number, top: number, value: number, less: Less): void {
  let parent = Math.floor((hole - 1) / 2);
  while (hole > top && less(p[first + parent]!, value)) {
    p[first + hole] = p[first + parent]!;
    hole = parent;
    parent = Math.floor((hole - 1) / 2);
  }
  p[first + hole] = value;
}

function adjustHeap(p: number[], first: number, hole: number, len: number, value: number, less: Less): void {
  const top = hole;
  let child = hole;
  while (child < Math.floor((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (less(p[first + child]!, p[first + child - 1]!)) child--;
    p[first + hole] = p[first + child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
    child = 2 * (child + 1);
    p[first + hole] = p[first + child - 1]!;
    hole = child - 1;
  }
  pushHeap(p, first, hole, top, value, less);
}

function makeHeap(p: number[], first: number, last: number, less: Less): void {
  const len = last - first;
  if (len < 2) return;
  let parent = Math.floor((len - 2) / 2);
  for (;;) {
    adjustHeap(p, first, parent, len, p[first + parent]!, less);
    if (parent === 0) return;
    parent--;
  }
}

function popHeap(p: number[], first: number, last: number, result: number, less: Less): void {
  const value = p[result]!;
  p[result] = p[first]!;
  adjustHeap(p, first, 0, last - first, value, less);
}

function heapSelect(p: number[], first: number, middle: number, last: number, less: Less): void {
  makeHeap(p, first, middle, less);
  for (let i = middle; i < last; i++) if (less(p[i]!, p[first]!)) popHeap(p, first, middle, i, less);
}

function sortHeap(p: number[], first: number, last: number, less: Less): void {
  while (last - first > 1) {
    last--;
    popHeap(p, first, last, last, less);
  }
}

/** std::partial_sort(first, middle, last). */
export function partialSort(p: number[], first: number, middle: number, last: number, less: Less): void {
  heapSelect(p, first, middle, last, less);
  sortHeap(p, first, middle, less);
}

function introsortLoop(p: number[], first: number, last: number, depth: number, less: Less): void {
  while (last - first > 16) {
    if (depth === 0) {
      partialSort(p, first, last, last, less);
      return;
    }
    depth--;
    const cut = partitionPivot(p, first, last, less);
    introsortLoop(p, cut, last, depth, less);
    last = cut;
  }
}

/** std::sort(first, last). */
export function stdSort(p: number[], first: number, last: number, less: Less): void {
  if (last - first < 2) return;
  introsortLoop(p, first, last, lg(last - first) * 2, less);
  if (last - first > 16) {
    insertionSort(p, first, first + 16, less);
    for (let i = first + 16; i < last; i++) unguardedLinearInsert(p, i, less);
  } else insertionSort(p, first, last, less);
}

/** std::nth_element(first, nth, last). */
export function nthElement(p: number[], first: number, nth: number, last: number, less: Less): void {
  if (first === last || nth === last) return;
  let depth = lg(last - first) * 2;
  while (last - first > 3) {
    if (depth === 0) {
      heapSelect(p, first, nth + 1, last, less);
      swap(p, first, nth);
      return;
    }
    depth--;
    const cut = partitionPivot(p, first, last, less);
    if (cut <= nth) first = cut;
    else last = cut;
  }
  insertionSort(p, first, last, less);
}

/**
 * PyTorch's quick_select_template (ATen SortingUtils.h): median-of-three quickselect that leaves the k-th
 * element (0-based) at position k under the order `gt` ("greater than, NaN largest"). kthvalue uses it.
 */
export function quickSelect(p: number[], k: number, gt: Less): void {
  let L = 0,
    R = p.length - 1;
  for (;;) {
    if (R <= L) return;
    if (R === L + 1) {
      if (gt(p[L]!, p[R]!)) swap(p, L, R);
      return;
    }
    const P = L + Math.floor((R - L) / 2);
    swap(p, P, L + 1);
    if (gt(p[L + 1]!, p[R]!)) swap(p, L + 1, R);
    if (gt(p[L]!, p[R]!)) swap(p, L, R);
    if (gt(p[L + 1]!, p[L]!)) swap(p, L + 1, L);
    let i = L + 1,
      j = R;
    const piv = p[L]!;
    for (;;) {
      do i++;
      while (gt(piv, p[i]!));
      do j--;
      while (gt(p[j]!, piv));
      if (j < i) break;
      swap(p, i, j);
    }
    swap(p, L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
}
