/**
 * Per-peer admission for the record protocol's inbound side: how many record
 * streams one peer may hold open at once (across all its connections) and
 * how many requests it may send per second. libp2p's own limit counts
 * streams per connection and resets the stream when it is hit; this one
 * counts per peer and lets the server answer BUSY with a time to wait, which
 * a well-behaved client takes as backpressure.
 */
import { RateLimiter, RateLimitError } from '@libp2p/utils'
import { STREAM_LIMIT_RETRY_AFTER } from './constants.js'
import type { PeerId } from '@libp2p/interface'

export interface PeerLimitsInit {
  /** record streams one peer may have open at once */
  maxStreamsPerPeer: number
  /** requests one peer may send per second */
  maxRequestsPerSecond: number
}

/** What a stream or request may do: go ahead, or wait `retryAfter` ms (`reason` says why). */
export type Admission = { admitted: true } | { admitted: false, retryAfter: number, reason: string }

const ADMITTED: Admission = { admitted: true }

export class PeerLimits {
  private readonly maxStreams: number
  private readonly maxRequestsPerSecond: number
  private readonly openStreams = new Map<string, number>()
  // a fixed one-second window per peer; its entries expire on their own, so
  // peers that went quiet cost no memory
  private readonly requests: RateLimiter

  constructor (init: PeerLimitsInit) {
    this.maxStreams = init.maxStreamsPerPeer
    this.maxRequestsPerSecond = init.maxRequestsPerSecond
    this.requests = new RateLimiter({ points: init.maxRequestsPerSecond, duration: 1, keyPrefix: '' })
  }

  /** Counts a new stream from `peer`; refused (and nothing counted) when it already has the most allowed. */
  openStream (peer: PeerId): Admission {
    const id = peer.toString()
    const open = this.openStreams.get(id) ?? 0
    if (open >= this.maxStreams) {
      return { admitted: false, retryAfter: STREAM_LIMIT_RETRY_AFTER, reason: `At most ${this.maxStreams} streams per peer` }
    }
    this.openStreams.set(id, open + 1)
    return ADMITTED
  }

  /** Uncounts a stream that openStream admitted. */
  closeStream (peer: PeerId): void {
    const id = peer.toString()
    const open = (this.openStreams.get(id) ?? 1) - 1
    if (open <= 0) {
      this.openStreams.delete(id)
    } else {
      this.openStreams.set(id, open)
    }
  }

  /** Counts one request from `peer` against its rate. */
  admitRequest (peer: PeerId): Admission {
    try {
      this.requests.consume(peer.toString())
      return ADMITTED
    } catch (err) {
      if (err instanceof RateLimitError) {
        return { admitted: false, retryAfter: Math.max(1, Math.ceil(err.msBeforeNext)), reason: `At most ${this.maxRequestsPerSecond} requests per second per peer` }
      }
      throw err
    }
  }

  /** True while `peer` has a stream open or requests counted in the current window. */
  tracks (peer: PeerId): boolean {
    const id = peer.toString()
    return this.openStreams.has(id) || this.requests.get(id) !== undefined
  }

  /** Forgets every count and cancels the rate limiter's expiry timers. */
  clear (): void {
    this.openStreams.clear()
    for (const key of [...this.requests.memoryStorage.storage.keys()]) {
      this.requests.memoryStorage.delete(key)
    }
  }
}
