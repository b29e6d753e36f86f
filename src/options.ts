/**
 * Options of the product store service and of createProductNode: their
 * types, defaults and checks. Nothing here touches the network.
 */
import { InvalidParametersError } from './errors.js'
import { DEFAULT_MAX_INBOUND_STREAMS_PER_PEER, DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND, DEFAULT_REQUEST_TIMEOUT, RECORD_PROTOCOL } from './protocol/constants.js'
import { MAX_TIMER_DELAY } from './replication/query.js'
import type { PublisherRef } from './model/publishers.js'
import type { ReadFanout } from './types.js'
import type { KadDHTInit } from '@libp2p/kad-dht'
import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pInit } from 'libp2p'

export { RECORD_PROTOCOL }

/** The DHT protocol product nodes speak unless told otherwise: a product-dht overlay of its own. */
export const DEFAULT_DHT_PROTOCOL = '/product-dht/kad/1.0.0'

/** The protocol of the public IPFS DHT (Amino), for nodes that join it. */
export const PUBLIC_DHT_PROTOCOL = '/ipfs/kad/1.0.0'

/**
 * Which peer addresses the DHT keeps: `all` (loopback, LAN and public: the
 * default, right for tests and private networks), `public` (only public
 * addresses: right on the public internet) or `private` (only private ones: a LAN).
 */
export type AddressFilter = 'all' | 'public' | 'private'

/** Options of `productStore()`, the libp2p service. Every one has a default. */
export interface ProductStoreInit {
  /**
   * the key that signs what this node publishes (Ed25519 or secp256k1);
   * default: the node's own key. A seller keeps one in a file
   * (`loadOrCreatePublisherKey`) and publishes from any node with it.
   */
  publisherKey?: PrivateKey
  /**
   * a closed catalog: the only publishers whose records are stored and read
   * (public keys, or peer ids that embed them). Default: an open catalog,
   * where the first key to publish a product owns it.
   */
  publishers?: PublisherRef[]
  /** ms a tombstone (and an expired record) is kept before it is purged (default 7 days) */
  tombstoneGracePeriod?: number
  /** r: replicas per product (default 3) */
  replicationFactor?: number
  /** W: acknowledgements a put or delete needs (default 2, at most r) */
  writeQuorum?: number
  /** R: replies a get needs (default 2, at most r; R + W > r makes reads see the latest acknowledged write) */
  readQuorum?: number
  /**
   * how many replicas a get asks at first (default `'quorum'`): `'quorum'`
   * asks R, and one more only when one of them is slower than
   * `readHedgeDelay` or fails, or when their answers disagree on the newest
   * record or hold none (replicas it does not ask are kept up to date by
   * maintenance, not by read repair); `'all'` asks all r at once, so every
   * read repairs every replica
   */
  readFanout?: ReadFanout
  /**
   * ms a get waits for its first R replicas before it asks one more
   * (default: adaptive, the 99th percentile of this node's last 1000 round
   * trips to replicas; 50 ms until it has made 20)
   */
  readHedgeDelay?: number
  /** true: read and write, but hold no replicas (default false) */
  clientMode?: boolean
  /** record protocol id (default `/product-dht/record/1.0.0`) */
  recordProtocol?: string
  /**
   * the catalog's name (default `'default'`): record peers announce themselves
   * in the DHT as providers of a rendezvous CID derived from it, which is how
   * nodes find each other in a network where most peers are not product nodes
   */
  catalog?: string
  /** ms between checks that re-announce this node or look for more record peers when too few are known (default 300000) */
  discoveryInterval?: number
  /**
   * ms between maintenance sweeps (default 600000, each jittered by ±20 %):
   * anti-entropy with every neighbour, which puts records back on their r
   * closest peers whatever the view-change passes missed
   */
  maintenanceInterval?: number
  /** ms after a record peer joins or departs before maintenance acts on it, plus as much again of jitter (default 1000) */
  maintenanceDelay?: number
  /** records maintenance moves per second at most, pushes and pulls together (default 200) */
  maintenanceRate?: number
  /**
   * ms one request to one replica may spend on the wire (waiting for a turn
   * and waits a BUSY peer asks for, at most 10 s, come on top); also how long
   * a peer has to finish sending a request here once it has started it
   * (default 5000)
   */
  requestTimeout?: number
  /** record streams one peer may have open here at once, over all its connections; past it the peer is answered BUSY (default 64) */
  maxInboundStreamsPerPeer?: number
  /** requests one peer may send here per second; past it the peer is answered BUSY with the ms to wait (default 1000) */
  maxRequestsPerPeerPerSecond?: number
}

/** Options of `createProductNode()`: the service's, and the libp2p host it builds. */
export interface ProductNodeOptions extends ProductStoreInit {
  /** multiaddrs to listen on (default `['/ip4/127.0.0.1/tcp/0']`) */
  listen?: string[]
  /** multiaddrs to announce instead of the listen addresses, e.g. behind NAT (default none) */
  announce?: string[]
  /** multiaddrs, with `/p2p/<peer id>`, of peers to join through (default none: a new network) */
  bootstrap?: string[]
  /**
   * true: when no bootstrap peer can be reached, start anyway and keep
   * dialling them in the background (a warning says so). Default false: the
   * start rejects with BootstrapError, naming each address and why it failed.
   */
  startAlone?: boolean
  /** directory for records and the node's identity; omitted: everything in memory */
  dataDir?: string
  /** the node's identity; default: the one stored in `dataDir`, else a new Ed25519 key */
  privateKey?: PrivateKey
  /** DHT protocol id (default `/product-dht/kad/1.0.0`) */
  dhtProtocol?: string
  /** which peer addresses the DHT keeps: 'all' (default), 'public' or 'private' */
  addressFilter?: AddressFilter
  /** further `@libp2p/kad-dht` settings (k-bucket size, validators and selectors for other namespaces, …) */
  dht?: Omit<KadDHTInit, 'protocol' | 'clientMode' | 'peerInfoMapper'>
  /**
   * libp2p's metrics implementation, e.g. `prometheusMetrics()` from
   * `@libp2p/prometheus-metrics` (default none: nothing is measured). libp2p
   * and the product store service register their metrics with it.
   */
  metrics?: Libp2pInit['metrics']
  /** ms joining the bootstrap peers may take at start (default 30000) */
  joinTimeout?: number
  /**
   * ms between the pings libp2p's connection monitor sends on every open
   * connection; a connection whose ping fails is closed (default 60000).
   * libp2p's own default is 10000, but each ping opens a stream, and a node
   * holding a connection to most of a network spends more on those pings
   * than on its requests; Yamux's keep-alive frames still flow every 30 s.
   */
  pingInterval?: number
  /** false: create the node without starting it; call `start()` (default true) */
  start?: boolean
  /** aborts the start (joining included) */
  signal?: AbortSignal
}

export interface ResolvedStoreOptions {
  publishers?: PublisherRef[]
  tombstoneGracePeriod: number
  replicationFactor: number
  writeQuorum: number
  readQuorum: number
  readFanout: ReadFanout
  readHedgeDelay?: number
  clientMode: boolean
  recordProtocol: string
  catalog: string
  discoveryInterval: number
  maintenanceInterval: number
  maintenanceDelay: number
  maintenanceRate: number
  requestTimeout: number
  maxInboundStreamsPerPeer: number
  maxRequestsPerPeerPerSecond: number
}

export interface ResolvedNodeOptions extends ResolvedStoreOptions {
  listen: string[]
  announce: string[]
  bootstrap: string[]
  startAlone: boolean
  dhtProtocol: string
  addressFilter: AddressFilter
  joinTimeout: number
  pingInterval: number
}

export const DEFAULTS = {
  replicationFactor: 3,
  quorum: 2,
  readFanout: 'quorum',
  tombstoneGracePeriod: 7 * 24 * 3_600_000,
  catalog: 'default',
  discoveryInterval: 300_000,
  maintenanceInterval: 600_000,
  maintenanceDelay: 1_000,
  maintenanceRate: 200,
  requestTimeout: DEFAULT_REQUEST_TIMEOUT,
  maxInboundStreamsPerPeer: DEFAULT_MAX_INBOUND_STREAMS_PER_PEER,
  maxRequestsPerPeerPerSecond: DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND,
  listen: ['/ip4/127.0.0.1/tcp/0'],
  joinTimeout: 30_000,
  pingInterval: 60_000
} as const

function wholeNumber (name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidParametersError(`${name} must be a whole number from 1 to ${max}; got ${value}`)
  }
}

function protocolId (name: string, value: string): void {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new InvalidParametersError(`${name} must be a protocol id starting with "/"; got ${JSON.stringify(value)}`)
  }
}

function stringList (name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw new InvalidParametersError(`${name} must be a list of multiaddr strings`)
  }
  return value
}

/** Fills in the service's defaults and checks every value; throws InvalidParametersError. */
export function resolveStoreOptions (init: ProductStoreInit = {}): ResolvedStoreOptions {
  const replicationFactor = init.replicationFactor ?? DEFAULTS.replicationFactor
  const resolved: ResolvedStoreOptions = {
    publishers: init.publishers,
    tombstoneGracePeriod: init.tombstoneGracePeriod ?? DEFAULTS.tombstoneGracePeriod,
    replicationFactor,
    writeQuorum: init.writeQuorum ?? Math.min(DEFAULTS.quorum, replicationFactor),
    readQuorum: init.readQuorum ?? Math.min(DEFAULTS.quorum, replicationFactor),
    readFanout: init.readFanout ?? DEFAULTS.readFanout,
    readHedgeDelay: init.readHedgeDelay,
    clientMode: init.clientMode ?? false,
    recordProtocol: init.recordProtocol ?? RECORD_PROTOCOL,
    catalog: init.catalog ?? DEFAULTS.catalog,
    discoveryInterval: init.discoveryInterval ?? DEFAULTS.discoveryInterval,
    maintenanceInterval: init.maintenanceInterval ?? DEFAULTS.maintenanceInterval,
    maintenanceDelay: init.maintenanceDelay ?? DEFAULTS.maintenanceDelay,
    maintenanceRate: init.maintenanceRate ?? DEFAULTS.maintenanceRate,
    requestTimeout: init.requestTimeout ?? DEFAULTS.requestTimeout,
    maxInboundStreamsPerPeer: init.maxInboundStreamsPerPeer ?? DEFAULTS.maxInboundStreamsPerPeer,
    maxRequestsPerPeerPerSecond: init.maxRequestsPerPeerPerSecond ?? DEFAULTS.maxRequestsPerPeerPerSecond
  }
  wholeNumber('replicationFactor', replicationFactor, 64)
  wholeNumber('writeQuorum', resolved.writeQuorum, replicationFactor)
  wholeNumber('readQuorum', resolved.readQuorum, replicationFactor)
  wholeNumber('requestTimeout', resolved.requestTimeout)
  if (resolved.readFanout !== 'quorum' && resolved.readFanout !== 'all') {
    throw new InvalidParametersError(`readFanout must be 'quorum' or 'all'; got ${String(resolved.readFanout)}`)
  }
  if (resolved.readHedgeDelay !== undefined) {
    wholeNumber('readHedgeDelay', resolved.readHedgeDelay, MAX_TIMER_DELAY)
  }
  wholeNumber('maxInboundStreamsPerPeer', resolved.maxInboundStreamsPerPeer, 4096)
  wholeNumber('maxRequestsPerPeerPerSecond', resolved.maxRequestsPerPeerPerSecond)
  wholeNumber('discoveryInterval', resolved.discoveryInterval)
  wholeNumber('maintenanceInterval', resolved.maintenanceInterval)
  wholeNumber('maintenanceDelay', resolved.maintenanceDelay)
  wholeNumber('maintenanceRate', resolved.maintenanceRate)
  wholeNumber('tombstoneGracePeriod', resolved.tombstoneGracePeriod)
  if (typeof resolved.catalog !== 'string' || resolved.catalog.length === 0 || resolved.catalog.length > 128) {
    throw new InvalidParametersError(`catalog must be a name of 1 to 128 characters; got ${JSON.stringify(resolved.catalog)}`)
  }
  protocolId('recordProtocol', resolved.recordProtocol)
  if (resolved.publishers !== undefined && !Array.isArray(resolved.publishers)) {
    throw new InvalidParametersError('publishers must be a list of public keys or peer ids')
  }
  return resolved
}

/** Fills in createProductNode's defaults and checks every value; throws InvalidParametersError. */
export function resolveNodeOptions (options: ProductNodeOptions = {}): ResolvedNodeOptions {
  const resolved: ResolvedNodeOptions = {
    ...resolveStoreOptions(options),
    listen: stringList('listen', options.listen ?? [...DEFAULTS.listen]),
    announce: stringList('announce', options.announce ?? []),
    bootstrap: stringList('bootstrap', options.bootstrap ?? []),
    startAlone: options.startAlone ?? false,
    dhtProtocol: options.dhtProtocol ?? DEFAULT_DHT_PROTOCOL,
    addressFilter: options.addressFilter ?? 'all',
    joinTimeout: options.joinTimeout ?? DEFAULTS.joinTimeout,
    pingInterval: options.pingInterval ?? DEFAULTS.pingInterval
  }
  wholeNumber('joinTimeout', resolved.joinTimeout)
  wholeNumber('pingInterval', resolved.pingInterval)
  protocolId('dhtProtocol', resolved.dhtProtocol)
  if (!['all', 'public', 'private'].includes(resolved.addressFilter)) {
    throw new InvalidParametersError(`addressFilter must be 'all', 'public' or 'private'; got ${String(resolved.addressFilter)}`)
  }
  return resolved
}
