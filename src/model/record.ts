/**
 * Versioned records around a product: creation, encoding, validation and
 * the order that decides which of two records is newer.
 *
 * The bytes of a record are the same on disk and on the wire. A record is
 * valid when its key is the key of its product's id, its product is valid and
 * canonical (re-encoding gives the same bytes), it is no larger than
 * MAX_RECORD_SIZE, and its publisher's signature verifies.
 */
import { compare as uint8ArrayCompare } from 'uint8arrays/compare'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { InvalidProductError, InvalidRecordError, RecordTooLargeError } from '../errors.js'
import { isKeyOf } from './keys.js'
import type { KeyBytes } from './keys.js'
import { Record as WireRecord } from './messages.js'
import { productFromWire, productToWire } from './product.js'
import { verifyRecordSignature } from './signature.js'
import type { VerifiedRecords } from './verified-records.js'
import type { Product } from '../types.js'

export type { WireRecord }

/** Largest encoded record a node creates or accepts: 64 KiB. */
export const MAX_RECORD_SIZE = 64 * 1024

/** The highest version a record may carry; JavaScript numbers stay exact below it. */
export const MAX_VERSION = BigInt(Number.MAX_SAFE_INTEGER)

const UNSIGNED = { publicKey: new Uint8Array(0), signature: new Uint8Array(0) }

/** An unsigned record of `product` (sign it with signRecord). `expiresAt`: ms since the epoch, 0 for never. */
export function createRecord (key: KeyBytes, product: Product, version: bigint, updatedAt: number, expiresAt = 0): WireRecord {
  return { key, version, updatedAt: BigInt(updatedAt), tombstone: false, product: productToWire(product), expiresAt: BigInt(expiresAt), ...UNSIGNED }
}

/** An unsigned tombstone (sign it with signRecord). */
export function createTombstone (key: KeyBytes, version: bigint, updatedAt: number): WireRecord {
  return { key, version, updatedAt: BigInt(updatedAt), tombstone: true, expiresAt: 0n, ...UNSIGNED }
}

/** True when the record carries an expiry that has passed. */
export function isExpired (record: WireRecord, now = Date.now()): boolean {
  return record.expiresAt !== 0n && record.expiresAt <= BigInt(now)
}

/**
 * Encodings of records already encoded. A record object is never changed
 * once made (a new version is a new object), and one received is encoded
 * several times: its digest, the checks, the order of the copies a read got.
 */
const encodings = new WeakMap<WireRecord, Uint8Array>()

function encodingOf (record: WireRecord): Uint8Array {
  let bytes = encodings.get(record)
  if (bytes === undefined) {
    bytes = WireRecord.encode(record)
    encodings.set(record, bytes)
  }
  return bytes
}

export function encodeRecord (record: WireRecord): Uint8Array {
  const bytes = encodingOf(record)
  if (bytes.byteLength > MAX_RECORD_SIZE) {
    throw new RecordTooLargeError(bytes.byteLength, MAX_RECORD_SIZE)
  }
  return bytes
}

/** Decodes bytes from disk or the wire; throws when they are not a record. */
export function decodeRecord (bytes: Uint8Array): WireRecord {
  if (bytes.byteLength > MAX_RECORD_SIZE) {
    throw new RecordTooLargeError(bytes.byteLength, MAX_RECORD_SIZE)
  }
  try {
    return WireRecord.decode(bytes, { limits: { product: { tags: 32, images: 16, attributes: 64 } } } as never)
  } catch (err) {
    throw new InvalidRecordError(`Malformed record: ${(err as Error).message}`)
  }
}

/**
 * Checks a record received for `key` and returns its product (undefined for a
 * tombstone). Throws InvalidRecordError or RecordTooLargeError.
 */
export function validateRecord (record: WireRecord, key: Uint8Array): Product | undefined {
  checkKey(record, key)
  return checkContents(record, key, encodeRecord(record))
}

/**
 * validateRecord without the product, for a node that checks many copies of
 * the same records: bytes that `verified` names passed every check before
 * and are not checked again (a digest costs about 1.5 µs, a signature about
 * 150 µs); bytes that pass are added to it. Throws like validateRecord.
 */
export function verifyRecord (record: WireRecord, key: Uint8Array, verified?: VerifiedRecords): void {
  checkKey(record, key)
  const encoded = encodeRecord(record)
  if (verified === undefined) {
    checkContents(record, key, encoded)
    return
  }
  const digest = verified.digestOf(encoded)
  if (!verified.has(digest)) {
    checkContents(record, key, encoded)
    verified.add(digest)
  }
}

function checkKey (record: WireRecord, key: Uint8Array): void {
  if (!uint8ArrayEquals(record.key, key)) {
    throw new InvalidRecordError('Record key does not match the requested key')
  }
}

/** Every check but the key's, on a record whose encoding is `encoded`. */
function checkContents (record: WireRecord, key: Uint8Array, encoded: Uint8Array): Product | undefined {
  if (record.version < 1n || record.version > MAX_VERSION) {
    throw new InvalidRecordError(`Record version ${record.version} is out of range`)
  }
  if (record.tombstone) {
    if (record.product != null || record.expiresAt !== 0n) {
      throw new InvalidRecordError('A tombstone carries no product and no expiry')
    }
    verifyRecordSignature(record)
    return undefined
  }
  if (record.product == null) {
    throw new InvalidRecordError('Record carries no product')
  }
  let product: Product
  try {
    product = productFromWire(record.product)
  } catch (err) {
    if (err instanceof InvalidProductError) {
      throw new InvalidRecordError(`Record holds an invalid product: ${err.message}`)
    }
    throw err
  }
  if (!isKeyOf(key, product.id)) {
    throw new InvalidRecordError(`Product id "${product.id}" does not hash to the record key`)
  }
  const canonical = encodeRecord({ ...record, product: productToWire(product) })
  if (!uint8ArrayEquals(canonical, encoded)) {
    throw new InvalidRecordError('Record product is not in canonical form')
  }
  verifyRecordSignature(record)
  return product
}

/** The product of a record that validateRecord already accepted (undefined for a tombstone). */
export function productOf (record: WireRecord): Product | undefined {
  return record.tombstone || record.product == null ? undefined : productFromWire(record.product)
}

/**
 * Orders two records of one key: positive when `a` is newer. Higher version
 * wins; at equal versions a later `updatedAt`, then a tombstone, then the
 * greater encoding, so every node picks the same winner.
 */
export function compareRecords (a: WireRecord, b: WireRecord): number {
  if (a.version !== b.version) return a.version > b.version ? 1 : -1
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? 1 : -1
  if (a.tombstone !== b.tombstone) return a.tombstone ? 1 : -1
  return a === b ? 0 : uint8ArrayCompare(encodingOf(a), encodingOf(b))
}
