/**
 * What every request handler is and gets.
 */
import type { PeerHint, Request, Response } from '../../model/messages.js'
import type { PublisherPolicy } from '../../model/publishers.js'
import type { WireRecord } from '../../model/record.js'
import type { VerifiedRecords } from '../../model/verified-records.js'
import type { RecordStore } from '../../store/record-store.js'
import type { AbortOptions, ComponentLogger, PeerId } from '@libp2p/interface'

/** Answers one decoded request of one type. */
export type RequestHandler = (request: Request, from: PeerId, options?: AbortOptions) => Promise<Response>

export interface HandlerComponents {
  store: RecordStore
  /** who may publish which product */
  policy: PublisherPolicy
  logger: ComponentLogger
  /** records this node validated before, by the digest of their bytes (a repair or a push of a record held elsewhere is not checked twice) */
  verified?: VerifiedRecords
  /** record peers to name to a requester for `key` (built by the peer view) */
  hints?(key: Uint8Array, requester: PeerId, asked: boolean, options?: AbortOptions): Promise<PeerHint[]>
  /** record peers to name to a joining peer whose peer id's multihash is `key`, with `spread` from every part of the keyspace too (built by the peer view) */
  neighbourhood?(key: Uint8Array, requester: PeerId, spread: boolean, options?: AbortOptions): Promise<PeerHint[]>
  /**
   * anti-entropy: which of this node's records `requester` should hold too
   * (this node ranks it among their replicas); without it SYNC sees none
   */
  sharedWith?(requester: PeerId): (key: Uint8Array) => boolean
  /** a record was stored that this node did not hold before */
  onStored?(record: WireRecord, from: PeerId): void
}
