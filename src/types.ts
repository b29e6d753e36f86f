/**
 * Public data types shared by every layer. Imports nothing of ours.
 */
import type { ReplicaFailure } from './errors.js'
import type { AbortOptions, PeerId, PrivateKey } from '@libp2p/interface'
import type { ProgressEvent, ProgressOptions } from 'progress-events'

/** A value in a product's flat `attributes` map. */
export type AttributeValue = string | number | boolean

/**
 * A product as stored and returned: validated and canonical. `price` is a
 * decimal string with exactly as many decimals as the currency's ISO 4217
 * minor unit ("99.99" EUR, "1500" JPY, "1.250" BHD). Empty lists and maps are
 * left out.
 */
export interface Product {
  /** 1–128 characters: letters, digits, `.`, `_`, `:`, `-` */
  id: string
  /** 1–256 characters */
  name: string
  /** canonical decimal string, never a float */
  price: string
  /** ISO 4217 alphabetic code, upper case */
  currency: string
  /** at most 4096 characters */
  description?: string
  /** at most 128 characters */
  category?: string
  /** at most 32 tags of 1–64 characters each */
  tags?: string[]
  /** at most 16 http(s)/ipfs URLs or CIDs */
  images?: string[]
  /** flat map of at most 64 entries; names 1–64 characters, strings at most 1024 */
  attributes?: Record<string, AttributeValue>
}

/**
 * A product as a caller may give it: the price may also be a number, which is
 * converted to the canonical decimal string (and refused if it has more
 * decimals than the currency allows).
 */
export interface ProductInput extends Omit<Product, 'price'> {
  price: string | number
}

/** The receipt of a put or delete. */
export interface WriteResult {
  /** the product key (base58btc multihash of the id, as `productKeyString` gives) */
  key: string
  /** the version now stored */
  version: number
  /** the replicas that acknowledged */
  replicas: PeerId[]
  /** replicas that were asked and did not acknowledge, with why */
  failed: ReplicaFailure[]
  /** peer id form of the key that signed the record */
  publisher: PeerId
}

/** What a read learned about a product. */
export interface ProductRecord {
  product: Product
  version: number
  /** when the writer stored this version */
  updatedAt: Date
  /** how many replicas answered (found or not found) */
  answered: number
  /** how many of those held exactly this version */
  agreed: number
  /** peer id form of the key that signed this version */
  publisher: PeerId
  /** when this version stops being valid, if it was published with an expiry */
  expiresAt?: Date
}

/** A request to one replica, as progress events report it. */
export interface ReplicaRequestEvent {
  /** the product key, as `productKeyString` prints it */
  key: string
  peer: PeerId
}

/** One replica's answer, as progress events report it. */
export interface ReplicaAnswerEvent extends ReplicaRequestEvent {
  /** the record-protocol status: `OK`, `NOT_FOUND`, `STALE`, `FORBIDDEN`, `BUSY`, … */
  status: string
}

/** A replica that could not be asked or did not answer. */
export interface ReplicaFailedEvent extends ReplicaRequestEvent {
  reason: string
}

/**
 * What a put, delete or get reports through `onProgress` while it runs, in
 * the style of Helia's progress events:
 * - `product-dht:lookup`: the node knows too few record peers and asks the DHT
 * - `product-dht:replica:request`: a request goes to a replica
 * - `product-dht:replica:answer`: a replica answered (any status)
 * - `product-dht:replica:failed`: a replica could not be reached or timed out; the next one is asked
 */
export type ReplicaProgressEvents =
  ProgressEvent<'product-dht:lookup', { key: string }> |
  ProgressEvent<'product-dht:replica:request', ReplicaRequestEvent> |
  ProgressEvent<'product-dht:replica:answer', ReplicaAnswerEvent> |
  ProgressEvent<'product-dht:replica:failed', ReplicaFailedEvent>

/** Progress of a put or delete: the replica events, and a retry on top of a newer version a replica held. */
export type PutProgressEvents = ReplicaProgressEvents |
  ProgressEvent<'product-dht:put:retry', { key: string, version: number }>

/** Progress of a get. */
export type GetProgressEvents = ReplicaProgressEvents

/** This node, as a replica, now holds a version of a product that a node (this one included) sent. */
export interface ReplicaStoredEvent {
  key: string
  /** the product's id */
  id: string
  version: number
  /** the node that sent it */
  from: PeerId
}

/**
 * This node, as a replica, no longer holds a product: a tombstone came in
 * (`deleted`; it keeps the tombstone for the grace period), it purged a
 * tombstone or an expired record past the grace period (`purged`), or closer
 * peers joined and confirmed they hold the record, so this node dropped its
 * copy (`handed-off`), or it came back after longer than the tombstone grace
 * period and the network no longer has the product (`stale`).
 */
export interface ReplicaRemovedEvent {
  key: string
  /** the product's id, when the node still knew it (a tombstone carries no product) */
  id?: string
  version: number
  reason: 'deleted' | 'purged' | 'handed-off' | 'stale'
  /** for `deleted`: the node that sent the tombstone */
  from?: PeerId
}

/** What replica maintenance did since the node started, and what its last pass found. */
/**
 * How many replicas a get asks at first: `quorum` asks R (R + W > r: they
 * include one that took the last acknowledged write) and the others only
 * when one of those is slow or fails, or their answers disagree on the
 * newest record or hold none; `all` asks all r at once.
 */
export type ReadFanout = 'quorum' | 'all'

export interface MaintenanceStats {
  /** passes run (after view changes, and sweeps) */
  passes: number
  /** anti-entropy sessions with a neighbour that completed, and that failed */
  syncs: number
  failedSyncs: number
  /** SYNC messages (requests and responses) and their bytes */
  syncMessages: number
  syncBytes: number
  /** records pushed to neighbours, pulled from them, and dropped after a hand-off */
  pushed: number
  pulled: number
  handedOff: number
  /** records the last pass could not confirm on r peers (this node counted where it is a replica) */
  underReplicated: number
  /**
   * records held back, neither served nor offered, since this node came back
   * after longer than the tombstone grace period (until the network confirms them)
   */
  heldBack: number
  /** held-back records dropped because no peer had the product any more (deleted while this node was away) */
  droppedStale: number
  /** when the last pass ended (ms since the epoch), and how long it took (ms) */
  lastPassAt?: number
  lastPassMs?: number
}

/** What a node holds and knows, from `status()`. */
export interface StoreStatus {
  /** records this node holds as a replica (tombstones included) */
  records: number
  /** other record-protocol peers this node knows */
  knownPeers: number
  /** replicas this node's reads brought up to date (read repair) */
  readRepairs: number
  /** BUSY answers this node sent to peers over their per-peer limits */
  busySent: number
  maintenance: MaintenanceStats
}

/** A put, delete or get of this node finished. */
export interface OperationFinishedEvent {
  operation: 'put' | 'delete' | 'get'
  key: string
  /** the product's id */
  id: string
  /** ms the call took */
  duration: number
  /** for a put or delete: the version written; for a get: the version found */
  version?: number
  /** for a get: whether the product was found */
  found?: boolean
  /** the error's name when the call rejected */
  error?: string
}

/** Events of the product store service (and of `ProductNode`). */
export interface ProductStoreEvents {
  'replica:stored': CustomEvent<ReplicaStoredEvent>
  'replica:removed': CustomEvent<ReplicaRemovedEvent>
  'operation:finished': CustomEvent<OperationFinishedEvent>
}

/** Options of one put. */
export interface PutOptions extends AbortOptions, ProgressOptions<PutProgressEvents> {
  /**
   * compare-and-set: store only if the product's current version is this one
   * (0: only if it does not exist yet); otherwise reject with
   * VersionConflictError and change nothing
   */
  expectedVersion?: number
  /** when the record stops being valid (reads then return undefined); default never */
  expiresAt?: Date | number
  /** sign with this key instead of the node's publisher key */
  publisherKey?: PrivateKey
}

/** Options of one delete. */
export interface DeleteOptions extends AbortOptions, ProgressOptions<PutProgressEvents> {
  /** compare-and-set, as for putProduct */
  expectedVersion?: number
  /** sign with this key instead of the node's publisher key */
  publisherKey?: PrivateKey
}

/** Options of one get. */
export interface GetOptions extends AbortOptions, ProgressOptions<GetProgressEvents> {}
