/**
 * Who may publish which product.
 *
 * - Closed catalog (a `publishers` list): only records signed by a listed key
 *   are stored or read. Any listed key may publish or update any product.
 * - Open catalog (no list): the first key that publishes a product on a
 *   replica owns it there; later versions and tombstones must be signed by
 *   the same key. A replica that never held the product takes whoever comes
 *   first, which is the limit of this mode (see the README).
 */
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { InvalidParametersError } from '../errors.js'
import { PUBLISHER_KEY_TYPES, decodePublicKey } from './signature.js'
import type { WireRecord } from './record.js'
import type { PeerId, PublicKey } from '@libp2p/interface'

/** A publisher as options name it: a public key, or a peer id (object or string) that embeds one. */
export type PublisherRef = PublicKey | PeerId | string

/** The peer id form of the key that signed `record`. */
export function publisherOf (record: WireRecord): PeerId {
  return peerIdFromPublicKey(decodePublicKey(record.publicKey))
}

export class PublisherPolicy {
  /** base64 of the protobuf-encoded public keys of a closed catalog; undefined when open */
  private readonly allowed?: Set<string>

  constructor (publishers?: PublisherRef[]) {
    if (publishers !== undefined) {
      this.allowed = new Set(publishers.map(ref => uint8ArrayToString(publicKeyToProtobuf(toPublicKey(ref)), 'base64')))
    }
  }

  /** true when a `publishers` list decides who may publish */
  get closed (): boolean {
    return this.allowed !== undefined
  }

  /** Whether `key` may publish at all (always, in an open catalog). */
  mayPublish (key: PublicKey): boolean {
    return this.allowed === undefined || this.allowed.has(uint8ArrayToString(publicKeyToProtobuf(key), 'base64'))
  }

  /**
   * Why `offered` may not replace `current` (the record held for its key, if
   * any), or undefined when it may. Signatures are checked elsewhere.
   */
  refusal (offered: WireRecord, current?: WireRecord): string | undefined {
    if (this.allowed !== undefined) {
      return this.allowed.has(uint8ArrayToString(offered.publicKey, 'base64'))
        ? undefined
        : `${safePublisherOf(offered)} is not a publisher of this catalog`
    }
    if (current !== undefined && !uint8ArrayEquals(current.publicKey, offered.publicKey)) {
      return `Product is owned by ${safePublisherOf(current)}`
    }
    return undefined
  }
}

function safePublisherOf (record: WireRecord): string {
  try {
    return publisherOf(record).toString()
  } catch {
    return 'an unknown key'
  }
}

function toPublicKey (ref: PublisherRef): PublicKey {
  let key: PublicKey | undefined
  if (typeof ref === 'string') {
    try {
      key = peerIdFromString(ref).publicKey
    } catch (err) {
      throw new InvalidParametersError(`publishers: "${ref}" is not a peer id - ${(err as Error).message}`)
    }
  } else if ('verify' in ref) {
    key = ref
  } else {
    key = ref.publicKey
  }
  if (key === undefined) {
    throw new InvalidParametersError(`publishers: ${String(ref)} does not embed its public key (list the key itself)`)
  }
  if (!(PUBLISHER_KEY_TYPES as readonly string[]).includes(key.type)) {
    throw new InvalidParametersError(`publishers: a publisher key must be ${PUBLISHER_KEY_TYPES.join(' or ')}; got ${key.type}`)
  }
  return key
}
