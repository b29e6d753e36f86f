/**
 * The newest version this node has written or read of each product, for the
 * most recent keys, so that an update builds on the latest version without
 * reading first. A version that is out of date only costs a retry: a replica
 * holding a newer one answers STALE with it.
 */
/** A key as a map key: base64 costs a tenth of the base58 that keyToString prints. */
function id (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64')
}

/** Keys remembered, at most. */
const CAPACITY = 10_000

export class KnownVersions {
  private readonly versions = new Map<string, bigint>()

  get (key: Uint8Array): bigint {
    return this.versions.get(id(key)) ?? 0n
  }

  /** Remembers `version` for `key` unless a newer one is known. */
  remember (key: Uint8Array, version: bigint): void {
    const name = id(key)
    if ((this.versions.get(name) ?? 0n) >= version) {
      return
    }
    this.versions.delete(name)
    this.versions.set(name, version)
    if (this.versions.size > CAPACITY) {
      // a Map iterates in insertion order: drop the least recently written
      this.versions.delete(this.versions.keys().next().value as string)
    }
  }
}
