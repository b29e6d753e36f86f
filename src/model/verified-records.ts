/**
 * The records one node has already validated in full (schema, canonical
 * form, signature), named by a digest of their encoded bytes.
 *
 * The replicas of a key return the same bytes: a read that hears r replies
 * would otherwise check r signatures of one record, and each costs about
 * 0.15 ms of CPU, more than the rest of a round trip. Validation depends on
 * nothing but those bytes (the key asked for is compared apart, the
 * publisher policy is applied by the caller), so bytes that passed once pass
 * again. Only records that passed are remembered: a forged copy never
 * matches a digest, and is checked (and refused) in full every time.
 *
 * One instance per node, never shared between nodes: a node believes only
 * what it checked itself, even when many nodes share a process.
 */
import { createHash } from 'node:crypto'

/** Digests kept by default: far more than the reads and repairs in flight at once, about 100 KB. */
const DEFAULT_CAPACITY = 1024

export class VerifiedRecords {
  private readonly capacity: number
  private readonly digests = new Set<string>()

  constructor (capacity = DEFAULT_CAPACITY) {
    this.capacity = capacity
  }

  /** The name of an encoded record: sha256 of its bytes (about 1.5 µs for a product record). */
  digestOf (encoded: Uint8Array): string {
    return createHash('sha256').update(encoded).digest('base64')
  }

  has (digest: string): boolean {
    return this.digests.has(digest)
  }

  /** Remembers a digest whose record passed validation; the oldest goes when full. */
  add (digest: string): void {
    if (this.digests.has(digest)) {
      return
    }
    if (this.digests.size >= this.capacity) {
      // a Set iterates in insertion order: drop the oldest
      this.digests.delete(this.digests.values().next().value as string)
    }
    this.digests.add(digest)
  }

  get size (): number {
    return this.digests.size
  }
}
