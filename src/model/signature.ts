/**
 * Record signatures: who published a record, and proof that nobody changed it.
 *
 * A record carries its publisher's public key (protobuf-encoded, as libp2p
 * encodes keys) and a signature over SIGNATURE_DOMAIN followed by the record
 * encoded with an empty signature field. The encoding is canonical (one
 * product has one encoding, see record.ts), so the signed bytes are the
 * stored and sent bytes minus the signature: key, product, version,
 * updatedAt, expiresAt, tombstone flag and public key are all covered.
 *
 * Ed25519 (the default, and what libp2p peers use) is signed and verified
 * with node:crypto directly, with key objects cached: libp2p's key classes
 * build a new key object from JWK on every call, which costs more than the
 * signature itself (see BENCHMARKS.md). secp256k1 keys go through
 * @libp2p/crypto. Other key types (RSA, ECDSA) are refused: their
 * verification is slow or asynchronous, and record checks sit on the hot path.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto'
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { InvalidRecordError } from '../errors.js'
import { Record as WireRecord } from './messages.js'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import type { KeyObject } from 'node:crypto'

/** Prefixed to every signed payload, so a record signature is never valid as any other message. */
export const SIGNATURE_DOMAIN = uint8ArrayFromString('/product-dht/record-signature/1.0.0\n')

/** Key types a publisher may use. */
export const PUBLISHER_KEY_TYPES = ['Ed25519', 'secp256k1'] as const

// DER prefixes that turn raw Ed25519 key bytes into the PKCS#8 / SPKI forms node:crypto reads (RFC 8410)
const ED25519_PKCS8_PREFIX = uint8ArrayFromString('302e020100300506032b657004220420', 'base16')
const ED25519_SPKI_PREFIX = uint8ArrayFromString('302a300506032b6570032100', 'base16')
/** Key objects kept per process; a catalog has few publishers, and an entry is small. */
const KEY_CACHE_SIZE = 4096

const publicKeyObjects = new Map<string, KeyObject>()
const privateKeyObjects = new WeakMap<PrivateKey, KeyObject>()

/** The bytes a publisher signs: SIGNATURE_DOMAIN ‖ the record encoded without its signature. */
export function signingPayload (record: WireRecord): Uint8Array {
  return uint8ArrayConcat([SIGNATURE_DOMAIN, WireRecord.encode({ ...record, signature: new Uint8Array(0) })])
}

/** Throws unless `key` is a type a publisher may use. */
export function assertPublisherKey (key: PublicKey | PrivateKey): void {
  if (!(PUBLISHER_KEY_TYPES as readonly string[]).includes(key.type)) {
    throw new InvalidRecordError(`A publisher key must be ${PUBLISHER_KEY_TYPES.join(' or ')}; got ${key.type}`)
  }
}

/** Returns `record` with `key`'s public key and signature set. */
export async function signRecord (record: WireRecord, key: PrivateKey): Promise<WireRecord> {
  assertPublisherKey(key)
  // the generated message types want plain ArrayBuffer-backed bytes: copy into one
  const unsigned: WireRecord = { ...record, publicKey: new Uint8Array(publicKeyToProtobuf(key.publicKey)), signature: new Uint8Array(0) }
  const payload = signingPayload(unsigned)
  const signature = key.type === 'Ed25519'
    ? new Uint8Array(cryptoSign(null, payload, ed25519PrivateKeyObject(key)))
    : new Uint8Array(await key.sign(payload))
  return { ...unsigned, signature }
}

/**
 * Checks the record's signature against the public key it carries. Throws
 * InvalidRecordError when the key is missing, malformed or of a refused
 * type, or when the signature does not verify.
 */
export function verifyRecordSignature (record: WireRecord): void {
  if (record.publicKey.byteLength === 0 || record.signature.byteLength === 0) {
    throw new InvalidRecordError('Record is not signed')
  }
  const payload = signingPayload(record)
  let valid: boolean
  const ed25519 = ed25519PublicKeyObject(record.publicKey)
  if (ed25519 !== undefined) {
    valid = cryptoVerify(null, payload, ed25519, record.signature)
  } else {
    const key = decodePublicKey(record.publicKey)
    assertPublisherKey(key)
    const result = key.verify(payload, record.signature)
    if (typeof result !== 'boolean') {
      throw new InvalidRecordError(`${key.type} signatures cannot be checked synchronously`)
    }
    valid = result
  }
  if (!valid) {
    throw new InvalidRecordError('Record signature does not verify')
  }
}

/** The publisher's public key of a record (throws InvalidRecordError when malformed). */
export function decodePublicKey (bytes: Uint8Array): PublicKey {
  try {
    return publicKeyFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidRecordError(`Malformed publisher key: ${(err as Error).message}`)
  }
}

function ed25519PrivateKeyObject (key: PrivateKey): KeyObject {
  let object = privateKeyObjects.get(key)
  if (object === undefined) {
    // libp2p keeps Ed25519 private keys as seed ‖ public key
    const seed = key.raw.subarray(0, 32)
    object = createPrivateKey({ key: Buffer.from(uint8ArrayConcat([ED25519_PKCS8_PREFIX, seed])), format: 'der', type: 'pkcs8' })
    privateKeyObjects.set(key, object)
  }
  return object
}

/**
 * A cached node:crypto key object for a protobuf-encoded Ed25519 public key,
 * or undefined for any other key type. The protobuf form of an Ed25519 key is
 * 08 01 12 20 ‖ 32 key bytes.
 */
function ed25519PublicKeyObject (protobuf: Uint8Array): KeyObject | undefined {
  if (protobuf.byteLength !== 36 || protobuf[0] !== 0x08 || protobuf[1] !== 0x01 || protobuf[2] !== 0x12 || protobuf[3] !== 0x20) {
    return undefined
  }
  const id = uint8ArrayToString(protobuf, 'base64')
  let object = publicKeyObjects.get(id)
  if (object === undefined) {
    try {
      object = createPublicKey({ key: Buffer.from(uint8ArrayConcat([ED25519_SPKI_PREFIX, protobuf.subarray(4)])), format: 'der', type: 'spki' })
    } catch (err) {
      throw new InvalidRecordError(`Malformed publisher key: ${(err as Error).message}`)
    }
    if (publicKeyObjects.size >= KEY_CACHE_SIZE) {
      // a Map iterates in insertion order: drop the oldest
      publicKeyObjects.delete(publicKeyObjects.keys().next().value as string)
    }
    publicKeyObjects.set(id, object)
  }
  return object
}
