/**
 * At most `limit` requests per peer at once; the others wait for a slot in
 * the order they came, each within its own signal. Written here rather than
 * with one @libp2p/utils Queue per peer: that queue's jobs, events and
 * debounced idle timers added about 0.1 ms to every request (BENCHMARKS.md),
 * and this needs none of them.
 */
import '../polyfill.js'

interface PeerSlots {
  active: number
  waiting: Array<{ grant(): void }>
}

export class InFlightLimit {
  private readonly limit: number
  private readonly peers = new Map<string, PeerSlots>()

  constructor (limit: number) {
    this.limit = limit
  }

  /** Waits for a slot for `peer`; returns the function that gives it back (call it exactly once). */
  async acquire (peer: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    let slots = this.peers.get(peer)
    if (slots === undefined) {
      slots = { active: 0, waiting: [] }
      this.peers.set(peer, slots)
    }
    const release = (): void => { this.release(peer) }
    if (slots.active < this.limit) {
      slots.active++
      return release
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const waiter = {
      grant: () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
    }
    // the entry stays while a slot is held, so this is the queue to leave
    const queue = slots.waiting
    const onAbort = (): void => {
      const at = queue.indexOf(waiter)
      if (at >= 0) {
        queue.splice(at, 1)
      }
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    queue.push(waiter)
    await promise
    return release
  }

  /** Requests to `peer` holding a slot now. */
  active (peer: string): number {
    return this.peers.get(peer)?.active ?? 0
  }

  private release (peer: string): void {
    const slots = this.peers.get(peer)
    if (slots === undefined) {
      return
    }
    const next = slots.waiting.shift()
    if (next !== undefined) {
      // the slot passes straight to the next waiter
      next.grant()
      return
    }
    slots.active--
    if (slots.active <= 0) {
      this.peers.delete(peer)
    }
  }
}
