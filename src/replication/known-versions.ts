/**
 * The newest version this node has written or read of each product, for the
 * most recent keys, so that an update builds on the latest version without
 * reading first. A version that is out of date only costs a retry: a replica
 * holding a newer one answers STALE with it.
 */
import { keyToString } from '../model/keys.js'

/** Keys remembered, at most. */
const CAPACITY = 10_000

export class KnownVersions {
  private readonly versions = new Map<string, bigint>()

  get (key: Uint8Array): bigint {
    return this.versions.get(keyToString(key)) ?? 0n
  }

  /** Remembers `version` for `key` unless a newer one is known. */
  remember (key: Uint8Array, version: bigint): void {
    const id = keyToString(key)
    if ((this.versions.get(id) ?? 0n) >= version) {
      return
    }
    this.versions.delete(id)
    this.versions.set(id, version)
    if (this.versions.size > CAPACITY) {
      // a Map iterates in insertion order: drop the least recently written
      this.versions.delete(this.versions.keys().next().value as string)
    }
  }
}
