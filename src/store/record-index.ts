/**
 * An in-memory index of the records a node holds: one small entry per
 * record (its key, position in the keyspace, version and a digest of its
 * bytes), sorted by position. Anti-entropy summarises ranges of it without
 * reading a record from disk, maintenance walks it to find each record's
 * replicas, and it counts what the node holds.
 *
 * A sorted array: a range of positions (a key prefix) is a contiguous slice
 * found by binary search. A change replaces the array (copy on write), so a
 * maintenance pass or a sync walks a snapshot while puts go on; a copy at a
 * node's scale (tens of thousands of records) takes microseconds.
 */
import { createHash } from 'node:crypto'
import { compare as uint8ArrayCompare } from 'uint8arrays/compare'
import { keyPosition } from '../model/keys.js'
import type { KeyBytes } from '../model/keys.js'
import type { WireRecord } from '../model/record.js'

/** Bytes of a record's digest: enough that two different records of one version never look alike by chance. */
export const DIGEST_LENGTH = 16

export interface IndexEntry {
  /** sha256 of the key: where the record sits in the keyspace */
  position: Uint8Array
  key: KeyBytes
  version: bigint
  /** the first DIGEST_LENGTH bytes of sha256 over the encoded record */
  digest: Uint8Array<ArrayBuffer>
  tombstone: boolean
}

export function indexEntry (record: WireRecord, encoded: Uint8Array): IndexEntry {
  return {
    position: keyPosition(record.key),
    key: record.key,
    version: record.version,
    digest: Uint8Array.from(createHash('sha256').update(encoded).digest().subarray(0, DIGEST_LENGTH)),
    tombstone: record.tombstone
  }
}

/** The first index of `entries` (sorted by position) for which `reached(position)` holds (it must stay true from there on). */
export function firstWhere (entries: readonly IndexEntry[], reached: (position: Uint8Array) => boolean): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (reached(entries[mid].position)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** The first index in `entries` (sorted by position) whose position is not below `position`. */
function lowerBound (entries: readonly IndexEntry[], position: Uint8Array): number {
  return firstWhere(entries, p => uint8ArrayCompare(p, position) >= 0)
}

export class RecordIndex {
  private entries: IndexEntry[] = []

  get size (): number {
    return this.entries.length
  }

  /** Every entry, sorted by position. The array is replaced, never changed in place, so a caller may keep it. */
  all (): readonly IndexEntry[] {
    return this.entries
  }

  /** Adds or replaces the entry of `entry.key`. */
  set (entry: IndexEntry): void {
    const at = lowerBound(this.entries, entry.position)
    const next = this.entries.slice()
    if (at < next.length && uint8ArrayCompare(next[at].position, entry.position) === 0) {
      next[at] = entry
    } else {
      next.splice(at, 0, entry)
    }
    this.entries = next
  }

  delete (key: Uint8Array): void {
    const position = keyPosition(key)
    const at = lowerBound(this.entries, position)
    if (at < this.entries.length && uint8ArrayCompare(this.entries[at].position, position) === 0) {
      const next = this.entries.slice()
      next.splice(at, 1)
      this.entries = next
    }
  }

  get (key: Uint8Array): IndexEntry | undefined {
    const position = keyPosition(key)
    const entry = this.entries[lowerBound(this.entries, position)]
    return entry !== undefined && uint8ArrayCompare(entry.position, position) === 0 ? entry : undefined
  }

  /** Replaces every entry (after a scan of the datastore). */
  reset (entries: IndexEntry[]): void {
    this.entries = entries.sort((a, b) => uint8ArrayCompare(a.position, b.position))
  }
}
