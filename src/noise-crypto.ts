/**
 * X25519 for the Noise handshake, through Node's crypto as @libp2p/noise's
 * default does, without its most expensive step. The default imports both
 * keys of every Diffie-Hellman from DER (PKCS#8, SPKI); on Node 20 the
 * PKCS#8 import alone costs about ten times the key agreement itself, and a
 * handshake does three agreements a side. Here keys come in as JWK, the
 * cheapest import Node has (a tenth of PKCS#8's), and each private key is
 * imported once and kept as a KeyObject (a small cache per host: its static
 * key and the ephemeral keys of the handshakes under way). Everything else
 * (hashing, HKDF, ChaCha20-Poly1305) is @libp2p/noise's default, through
 * the `crypto` option it offers for this.
 *
 * A new key pair is generated with its JWK encoding done by the generation
 * itself, never exported from the KeyObject afterwards: on Node 20 a
 * KeyObject's JWK export that meets a garbage collection of the generation
 * job that made that key deadlocks the process (the job's destructor waits
 * on the lock the export holds), which hung a 50-node process in one of
 * several runs.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto'
import { defaultCrypto } from '@libp2p/noise/crypto'
import type { ICryptoInterface } from '@libp2p/noise'
import type { JsonWebKey, KeyObject } from 'node:crypto'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Private keys a host keeps as KeyObjects: its static key and the ephemeral keys of the handshakes in flight. */
const CACHED_PRIVATE_KEYS = 64

/** The DER prefix of a PKCS#8 X25519 private key, for a key that is not cached (imported the default way). */
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20])

function bytesOf (data: Uint8Array | Uint8ArrayList): Uint8Array {
  return data instanceof Uint8Array ? data : data.subarray()
}

function base64url (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

function raw (encoded: string | undefined): Uint8Array {
  if (encoded === undefined) throw new Error('an X25519 key exported without its bytes')
  return new Uint8Array(Buffer.from(encoded, 'base64url'))
}

/** A Noise crypto implementation for one host (its key cache is its own). */
export function noiseCrypto (): ICryptoInterface {
  // least recently used first; keyed by the private key's bytes (base64url)
  const privateKeys = new Map<string, KeyObject>()

  const remember = (id: string, key: KeyObject): void => {
    privateKeys.delete(id)
    privateKeys.set(id, key)
    if (privateKeys.size > CACHED_PRIVATE_KEYS) {
      privateKeys.delete(privateKeys.keys().next().value as string)
    }
  }

  /** Imports (and caches) a private key whose JWK is known: the cheap import. */
  const fromJwk = (d: string, x: string): { publicKey: Uint8Array, privateKey: Uint8Array } => {
    remember(d, createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x }, format: 'jwk' }))
    return { publicKey: raw(x), privateKey: raw(d) }
  }

  const privateKeyObject = (bytes: Uint8Array): KeyObject => {
    const id = base64url(bytes)
    let key = privateKeys.get(id)
    if (key === undefined) {
      // not one of ours (or evicted): the default, costlier import
      const der = new Uint8Array(PKCS8_PREFIX.length + bytes.length)
      der.set(PKCS8_PREFIX)
      der.set(bytes, PKCS8_PREFIX.length)
      key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
    }
    remember(id, key)
    return key
  }

  return {
    ...defaultCrypto,
    generateX25519KeyPair () {
      // Node encodes both keys as JWK when asked to; its typings know only PEM and DER here
      const { privateKey } = (generateKeyPairSync as unknown as (type: 'x25519', options: object) => { privateKey: JsonWebKey })('x25519', {
        publicKeyEncoding: { format: 'jwk' },
        privateKeyEncoding: { format: 'jwk' }
      })
      if (typeof privateKey.d !== 'string' || typeof privateKey.x !== 'string') throw new Error('an X25519 key generated without its bytes')
      return fromJwk(privateKey.d, privateKey.x)
    },
    generateX25519KeyPairFromSeed (seed) {
      // a key imported from bytes, not generated: exporting it is safe
      const jwk = privateKeyObject(bytesOf(seed)).export({ format: 'jwk' })
      return { publicKey: raw(jwk.x), privateKey: raw(jwk.d) }
    },
    generateX25519SharedKey (privateKey, publicKey) {
      const peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(bytesOf(publicKey)) }, format: 'jwk' })
      return diffieHellman({ privateKey: privateKeyObject(bytesOf(privateKey)), publicKey: peerKey })
    }
  }
}
