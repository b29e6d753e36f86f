/**
 * The peers in the network at one moment, sorted by keyspace position, so
 * that the peers under any prefix are one contiguous run. That gives, in
 * O(log n), a Kademlia bucket's population (the peers sharing exactly d
 * leading bits with a node) and the true closest peers to a key, which the
 * simulator compares every node's answer against.
 */
import { compare as uint8ArrayCompare } from 'uint8arrays/compare'
import { compareDistance } from '../src/model/keys.js'
import { positionPrefix } from './peers.js'
import type { PeerTable } from './peers.js'

/** A run of the sorted members: indexes [from, to). */
export interface Run {
  from: number
  to: number
}

const PREFIX_BITS = 32

export class Keyspace {
  /** member peer numbers, by position */
  readonly order: Int32Array
  private readonly prefixes: Uint32Array
  private readonly peers: PeerTable

  constructor (peers: PeerTable, members: number[]) {
    this.peers = peers
    const sorted = [...members].sort((a, b) =>
      (peers.prefixes[a] - peers.prefixes[b]) || uint8ArrayCompare(peers.positions[a], peers.positions[b]))
    this.order = Int32Array.from(sorted)
    this.prefixes = Uint32Array.from(sorted, n => peers.prefixes[n])
  }

  get size (): number {
    return this.order.length
  }

  /** The members whose first `bits` bits (0 to 32) are those of `prefix`. */
  under (prefix: number, bits: number): Run {
    if (bits === 0) return { from: 0, to: this.size }
    const span = 2 ** (PREFIX_BITS - bits)
    const low = Math.floor(prefix / span) * span
    return { from: this.lowerBound(low), to: this.lowerBound(low + span) }
  }

  /** Kademlia bucket `depth` of a node at `prefix`: the members sharing exactly `depth` leading bits with it. */
  bucket (prefix: number, depth: number): Run {
    return this.under((prefix ^ (1 << (PREFIX_BITS - 1 - depth))) >>> 0, depth + 1)
  }

  /** The `count` members closest to `target` by XOR distance, closest first. */
  closest (target: Uint8Array, count: number): number[] {
    const prefix = positionPrefix(target)
    let run: Run = { from: 0, to: this.size }
    // the closest members lie under the longest prefix of the target that still holds `count` of them
    for (let bits = 1; bits <= PREFIX_BITS; bits++) {
      const deeper = this.under(prefix, bits)
      if (deeper.to - deeper.from < count) break
      run = deeper
    }
    const { positions } = this.peers
    return [...this.order.subarray(run.from, run.to)]
      .sort((a, b) => compareDistance(target, positions[a], positions[b]))
      .slice(0, count)
  }

  private lowerBound (value: number): number {
    let low = 0
    let high = this.size
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.prefixes[mid] < value) low = mid + 1
      else high = mid
    }
    return low
  }
}
