/**
 * What each simulated node knows of the record peers, compactly: a sorted
 * array of peer numbers per node (a few bytes a peer, where a live
 * RecordPeerView costs about 300), and the failures in a row it counts
 * against some of them. This is the node's peer store as far as the view is
 * concerned: a view is loaded from it, and every change the view makes is
 * written back to it, so that a view can be dropped and loaded again.
 */
export class KnownPeers {
  private readonly lists: Int32Array[] = []
  private readonly counts: number[] = []
  private readonly failures = new Map<number, Map<number, number>>()

  /** Sets what `node` knows (peer numbers, any order, no duplicates). */
  set (node: number, peers: Iterable<number>): void {
    const sorted = Int32Array.from(peers).sort()
    this.lists[node] = sorted
    this.counts[node] = sorted.length
  }

  members (node: number): Int32Array {
    return this.lists[node]?.subarray(0, this.counts[node]) ?? new Int32Array(0)
  }

  size (node: number): number {
    return this.counts[node] ?? 0
  }

  has (node: number, peer: number): boolean {
    return this.search(node, peer) >= 0
  }

  add (node: number, peer: number): void {
    const at = this.search(node, peer)
    if (at >= 0) return
    const insertAt = -at - 1
    let list = this.lists[node] ?? new Int32Array(0)
    const count = this.counts[node] ?? 0
    if (count === list.length) {
      const grown = new Int32Array(Math.max(8, Math.ceil(list.length * 1.5)))
      grown.set(list)
      list = grown
      this.lists[node] = list
    }
    list.copyWithin(insertAt + 1, insertAt, count)
    list[insertAt] = peer
    this.counts[node] = count + 1
  }

  remove (node: number, peer: number): void {
    const at = this.search(node, peer)
    if (at < 0) return
    const list = this.lists[node]
    list.copyWithin(at, at + 1, this.counts[node])
    this.counts[node]--
    this.failures.get(node)?.delete(peer)
  }

  /** Failures in a row `node` counts against each peer that has any. */
  failuresOf (node: number): ReadonlyMap<number, number> {
    return this.failures.get(node) ?? new Map()
  }

  setFailures (node: number, peer: number, count: number): void {
    let counts = this.failures.get(node)
    if (count === 0) {
      counts?.delete(peer)
      return
    }
    if (counts === undefined) {
      counts = new Map()
      this.failures.set(node, counts)
    }
    counts.set(peer, count)
  }

  /** Binary search: the index of `peer`, or -(insertion point) - 1. */
  private search (node: number, peer: number): number {
    const list = this.lists[node]
    let low = 0
    let high = (this.counts[node] ?? 0) - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      const value = list[mid]
      if (value < peer) low = mid + 1
      else if (value > peer) high = mid - 1
      else return mid
    }
    return -low - 1
  }
}
