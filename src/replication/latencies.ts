/**
 * Recent round trips to replicas, and their percentiles: how long a read
 * waits for its first R replicas before it asks one more (a hedged read, as
 * Cassandra's speculative retry at its 99th percentile).
 *
 * Written here rather than taken from a histogram library: a ring of the
 * last samples and a sort now and then is all it needs, and the libraries
 * (HDR histograms, t-digests) bring wasm or far more than that.
 */

/** Samples kept: the last this many round trips. */
const DEFAULT_SIZE = 1000

/** Percentiles are computed again after this many new samples (a sort of the ring). */
const RECOMPUTE_EVERY = 100

export class RecentLatencies {
  private readonly samples: Float64Array
  private count = 0
  private nextSlot = 0
  private sorted?: Float64Array
  private sinceSorted = 0

  constructor (size: number = DEFAULT_SIZE) {
    this.samples = new Float64Array(size)
  }

  /** How many samples are held (at most the ring's size). */
  get size (): number {
    return this.count
  }

  record (ms: number): void {
    this.samples[this.nextSlot] = ms
    this.nextSlot = (this.nextSlot + 1) % this.samples.length
    this.count = Math.min(this.count + 1, this.samples.length)
    this.sinceSorted++
  }

  /** The `p`-th percentile (0 < p ≤ 100) of the samples held, or undefined when there are none. */
  percentile (p: number): number | undefined {
    if (this.count === 0) {
      return undefined
    }
    // while the ring is nearly empty every new sample counts: sort again each time
    if (this.sorted === undefined || this.sinceSorted >= RECOMPUTE_EVERY || (this.sinceSorted > 0 && this.count < RECOMPUTE_EVERY)) {
      this.sorted = this.samples.slice(0, this.count).sort()
      this.sinceSorted = 0
    }
    const rank = Math.ceil((p / 100) * this.sorted.length) - 1
    return this.sorted[Math.min(Math.max(rank, 0), this.sorted.length - 1)]
  }
}
