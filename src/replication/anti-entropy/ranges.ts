/**
 * Ranges of the keyspace for anti-entropy, and their summaries.
 *
 * A range is every position (sha256 of a key) that starts with `bits` bits
 * of `prefix`; its 16 children are 4 bits longer. Two replicas compare a
 * range by (count, fingerprint) of the (key, version, digest) items they hold
 * in it: equal summaries mean equal items, whatever their number, so a sync
 * where nothing changed costs one message each way. Where they differ, the
 * range is split until it is small enough to list (range-based set
 * reconciliation, as Negentropy does over sorted ranges; prefixes instead of
 * bounds make the split points the same on both sides without sending them).
 */
import { createHash } from 'node:crypto'
import { compare as uint8ArrayCompare } from 'uint8arrays/compare'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { firstWhere } from '../../store/record-index.js'
import type { IndexEntry } from '../../store/record-index.js'

/** Bits a split adds to a range's prefix: 16 children. */
export const SPLIT_BITS = 4
/** Positions are sha256 digests. */
export const POSITION_BITS = 256
/** Ranges one SYNC request may ask about (answers must fit one frame). */
export const MAX_SYNC_RANGES = 16
/** Items a responder lists for one range; a range holding more is split. */
export const MAX_LISTED_ITEMS = 32
/** Bytes of a range's fingerprint. */
export const FINGERPRINT_LENGTH = 16

export interface RangeRef {
  prefix: Uint8Array<ArrayBuffer>
  bits: number
}

export interface RangeSummary {
  count: number
  fingerprint: Uint8Array<ArrayBuffer>
}

/** The whole keyspace. */
export const WHOLE_KEYSPACE: RangeRef = { prefix: new Uint8Array(0), bits: 0 }

/** True when `range` is well formed: at most 256 bits, a prefix of exactly the bytes they need, no bits set past them. */
export function isValidRange (range: RangeRef): boolean {
  if (!Number.isInteger(range.bits) || range.bits < 0 || range.bits > POSITION_BITS || range.prefix.byteLength !== Math.ceil(range.bits / 8)) {
    return false
  }
  const spare = range.prefix.byteLength * 8 - range.bits
  return spare === 0 || (range.prefix[range.prefix.byteLength - 1] & ((1 << spare) - 1)) === 0
}

/** The lowest and highest position in `range`. */
function bounds (range: RangeRef): [Uint8Array, Uint8Array] {
  const low = new Uint8Array(POSITION_BITS / 8)
  const high = new Uint8Array(POSITION_BITS / 8).fill(0xff)
  low.set(range.prefix)
  high.set(range.prefix)
  const spare = range.prefix.byteLength * 8 - range.bits
  if (spare > 0) {
    high[range.prefix.byteLength - 1] |= (1 << spare) - 1
  }
  return [low, high]
}

/** The entries of `entries` (sorted by position) that lie in `range`. */
export function entriesIn (entries: readonly IndexEntry[], range: RangeRef): readonly IndexEntry[] {
  if (range.bits === 0) {
    return entries
  }
  const [low, high] = bounds(range)
  const from = firstWhere(entries, p => uint8ArrayCompare(p, low) >= 0)
  const to = firstWhere(entries, p => uint8ArrayCompare(p, high) > 0)
  return entries.slice(from, to)
}

/** The 16 children of `range`, 4 bits longer (fewer bits where the keyspace ends). */
export function childrenOf (range: RangeRef): RangeRef[] {
  const step = Math.min(SPLIT_BITS, POSITION_BITS - range.bits)
  const bits = range.bits + step
  const children: RangeRef[] = []
  for (let i = 0; i < 1 << step; i++) {
    const prefix = new Uint8Array(Math.ceil(bits / 8))
    prefix.set(range.prefix)
    // write the child's number into the `step` bits after the parent's prefix
    for (let b = 0; b < step; b++) {
      if (((i >> (step - 1 - b)) & 1) === 1) {
        const bit = range.bits + b
        prefix[bit >> 3] |= 0x80 >> (bit & 7)
      }
    }
    children.push({ prefix, bits })
  }
  return children
}

/** Count and fingerprint of `entries` (in position order). */
export function summarize (entries: readonly IndexEntry[]): RangeSummary {
  const hash = createHash('sha256')
  const version = Buffer.alloc(8)
  for (const entry of entries) {
    version.writeBigUInt64BE(entry.version)
    hash.update(entry.key).update(version).update(entry.digest)
  }
  return { count: entries.length, fingerprint: Uint8Array.from(hash.digest().subarray(0, FINGERPRINT_LENGTH)) }
}

export function sameSummary (a: RangeSummary, b: RangeSummary): boolean {
  return a.count === b.count && uint8ArrayEquals(a.fingerprint, b.fingerprint)
}
