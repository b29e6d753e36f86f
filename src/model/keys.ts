/**
 * Product keys and their place in the Kademlia keyspace.
 *
 * A product's key is the sha2-256 multihash of its UTF-8 id. Its position in
 * the keyspace is what `@libp2p/kad-dht` uses for any key: sha256 of the key
 * bytes; a peer's position is sha256 of its peer id's multihash bytes; the
 * distance between two positions is their XOR.
 */
import { createHash } from 'node:crypto'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import type { PeerId } from '@libp2p/interface'
import type { MultihashDigest } from 'multiformats/hashes/interface'

function digestNow (bytes: Uint8Array): MultihashDigest<number> {
  const digest = sha256.digest(bytes)
  // multiformats hashes with node:crypto on Node, which is synchronous
  if (digest instanceof Promise) {
    throw new Error('sha256 from multiformats was expected to be synchronous on Node')
  }
  return digest
}

/** Key bytes, as the protobuf messages type them. */
export type KeyBytes = Uint8Array<ArrayBuffer>

/** The product key: sha2-256 multihash bytes (`0x12 0x20 ‖ sha256(utf8(id))`). */
export function productKey (id: string): KeyBytes {
  // the multihash built here rather than through multiformats' digest
  // object: every put and get hashes a key several times, and this is
  // about three times cheaper (the same bytes; test/model/keys.test.ts)
  const key = new Uint8Array(2 + 32)
  key[0] = SHA2_256
  key[1] = 32
  key.set(sha256Now(uint8ArrayFromString(id)), 2)
  return key
}

/** The multicodec of sha2-256, the first byte of a product key. */
const SHA2_256 = 0x12

/** sha256 of `bytes`, straight from node:crypto (as a plain Uint8Array, not a Buffer). */
function sha256Now (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const digest = createHash('sha256').update(bytes).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

/** A key as text: base58btc of the multihash, the way libp2p prints hashes ("Qm…"). */
export function keyToString (key: Uint8Array): string {
  return base58btc.baseEncode(key)
}

/** The product key of an id, as text. */
export function productKeyString (id: string): string {
  return keyToString(productKey(id))
}

/**
 * The rendezvous CID of a catalog: CIDv1 (raw) of the sha2-256 of
 * `/product-dht/catalog/<name>`. Record peers of the catalog announce
 * themselves as its providers, so that a node can find them in a DHT where
 * they are a small minority.
 */
export function rendezvousCid (catalog: string): CID {
  return CID.createV1(raw.code, digestNow(uint8ArrayFromString(`/product-dht/catalog/${catalog}`)))
}

/** True when `key` is the key of product `id`. */
export function isKeyOf (key: Uint8Array, id: string): boolean {
  return uint8ArrayEquals(key, productKey(id))
}

/** Position of a key in the keyspace (sha256 of the key bytes). */
export function keyPosition (key: Uint8Array): Uint8Array {
  return sha256Now(key)
}

/** Position of a peer in the keyspace (sha256 of its multihash bytes). */
export function peerPosition (peerId: PeerId): Uint8Array {
  return sha256Now(peerId.toMultihash().bytes)
}

/**
 * Compares the XOR distances of positions `a` and `b` to `target`:
 * negative when `a` is closer, positive when `b` is, 0 when equal.
 */
export function compareDistance (target: Uint8Array, a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < target.length; i++) {
    const da = a[i] ^ target[i]
    const db = b[i] ^ target[i]
    if (da !== db) {
      return da - db
    }
  }
  return 0
}
