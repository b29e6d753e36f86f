/**
 * createProductNode(): a libp2p host, the record protocol, a record store and
 * the replicator, put together behind the public API.
 */
import './polyfill.js'
import { mkdir } from 'node:fs/promises'
import { logger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { InvalidOptionsError, InvalidProductError, NotOwnerError, NotStartedError, QuorumError, UnauthorizedPublisherError, VersionConflictError } from './errors.js'
import { DEFAULT_DHT_PROTOCOL, createHost, findClosestPeers, findProviderPeers, joinNetwork, provideCid } from './host.js'
import { RecordPeerView } from './catalog/peer-view.js'
import { Rendezvous } from './catalog/rendezvous.js'
import { Replicator } from './catalog/replicator.js'
import { keyToString, productKey, rendezvousCid } from './model/keys.js'
import { validateProduct } from './model/product.js'
import { createRecord, createTombstone, encodeRecord, isExpired, productOf, validateRecord } from './model/record.js'
import { PublisherPolicy, publisherOf } from './model/publishers.js'
import { assertPublisherKey, signRecord } from './model/signature.js'
import { RecordClient } from './protocol/client.js'
import { DEFAULT_MAX_INBOUND_STREAMS_PER_PEER, DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND, DEFAULT_REQUEST_TIMEOUT, RECORD_PROTOCOL } from './protocol/constants.js'
import { RecordServer } from './protocol/server.js'
import { loadOrCreatePrivateKey } from './store/identity.js'
import { RecordStore } from './store/record-store.js'
import type { AddressFilter, HostInit, ProductHost } from './host.js'
import type { PeerHint } from './model/messages.js'
import type { PublisherRef } from './model/publishers.js'
import type { WireRecord } from './model/record.js'
import type { KeyBytes } from './model/keys.js'
import type { ReadOutcome } from './catalog/replicator.js'
import type { Product, ProductInput, ProductRecord, WriteResult } from './types.js'
import type { AbortOptions, PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'

const log = logger('product-dht:node')

export interface ProductNodeOptions {
  /** multiaddrs to listen on (default `['/ip4/127.0.0.1/tcp/0']`) */
  listen?: string[]
  /** multiaddrs to announce instead of the listen addresses, e.g. behind NAT (default none) */
  announce?: string[]
  /** multiaddrs, with `/p2p/<peer id>`, of peers to join through (default none: a new network) */
  bootstrap?: string[]
  /** directory for records and the node's identity; omitted: everything in memory */
  dataDir?: string
  /** the node's identity; default: the one stored in `dataDir`, else a new Ed25519 key */
  privateKey?: PrivateKey
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
  /** true: read and write, but hold no replicas and answer no DHT queries (default false) */
  clientMode?: boolean
  /** DHT protocol id (default `/product-dht/kad/1.0.0`) */
  dhtProtocol?: string
  /** record protocol id (default `/product-dht/record/1.0.0`) */
  recordProtocol?: string
  /** which peer addresses the DHT keeps: 'all' (default), 'public' or 'private' */
  addressFilter?: AddressFilter
  /**
   * the catalog's name (default `'default'`): record peers announce themselves
   * in the DHT as providers of a rendezvous CID derived from it, which is how
   * nodes find each other in a network where most peers are not product nodes
   */
  catalog?: string
  /** ms between checks that re-announce this node or look for more record peers when too few are known (default 300000) */
  rendezvousInterval?: number
  /** further `@libp2p/kad-dht` settings (k-bucket size, validators and selectors for other namespaces, …) */
  dht?: HostInit['dht']
  /**
   * ms one request to one replica may spend on the wire (waiting for a turn
   * and waits a BUSY peer asks for, at most 10 s, come on top); also how long
   * a peer has to finish sending a request here once it has started it
   * (default 5000)
   */
  requestTimeout?: number
  /**
   * record streams one peer may have open here at once, over all its
   * connections; past it the peer is answered BUSY (default 64)
   */
  maxInboundStreamsPerPeer?: number
  /** requests one peer may send here per second; past it the peer is answered BUSY with the ms to wait (default 1000) */
  maxRequestsPerPeerPerSecond?: number
  /** ms joining the bootstrap peers may take at start (default 30000) */
  joinTimeout?: number
}

interface ResolvedOptions {
  listen: string[]
  announce: string[]
  bootstrap: string[]
  replicationFactor: number
  writeQuorum: number
  readQuorum: number
  clientMode: boolean
  dhtProtocol: string
  recordProtocol: string
  addressFilter: AddressFilter
  catalog: string
  rendezvousInterval: number
  dht: HostInit['dht']
  requestTimeout: number
  maxInboundStreamsPerPeer: number
  maxRequestsPerPeerPerSecond: number
  joinTimeout: number
  tombstoneGracePeriod: number
}

/** Options of one put. */
export interface PutOptions extends AbortOptions {
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
export interface DeleteOptions extends AbortOptions {
  /** compare-and-set, as for putProduct */
  expectedVersion?: number
  /** sign with this key instead of the node's publisher key */
  publisherKey?: PrivateKey
}

/** Most versions remembered per node, so updates build on the latest one without a read. */
const VERSION_CACHE_SIZE = 10_000
/** Attempts of a put that meets newer versions (concurrent writers). */
const WRITE_ATTEMPTS = 3

function resolveOptions (options: ProductNodeOptions): ResolvedOptions {
  const replicationFactor = options.replicationFactor ?? 3
  const resolved: ResolvedOptions = {
    listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    announce: options.announce ?? [],
    bootstrap: options.bootstrap ?? [],
    replicationFactor,
    writeQuorum: options.writeQuorum ?? Math.min(2, replicationFactor),
    readQuorum: options.readQuorum ?? Math.min(2, replicationFactor),
    clientMode: options.clientMode ?? false,
    dhtProtocol: options.dhtProtocol ?? DEFAULT_DHT_PROTOCOL,
    recordProtocol: options.recordProtocol ?? RECORD_PROTOCOL,
    addressFilter: options.addressFilter ?? 'all',
    catalog: options.catalog ?? 'default',
    rendezvousInterval: options.rendezvousInterval ?? 300_000,
    dht: options.dht,
    tombstoneGracePeriod: options.tombstoneGracePeriod ?? 7 * 24 * 3_600_000,
    requestTimeout: options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
    maxInboundStreamsPerPeer: options.maxInboundStreamsPerPeer ?? DEFAULT_MAX_INBOUND_STREAMS_PER_PEER,
    maxRequestsPerPeerPerSecond: options.maxRequestsPerPeerPerSecond ?? DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND,
    joinTimeout: options.joinTimeout ?? 30_000
  }
  const positive = (name: keyof ResolvedOptions, value: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new InvalidOptionsError(`${name} must be a whole number from 1 to ${max}; got ${value}`)
    }
  }
  positive('replicationFactor', replicationFactor, 64)
  positive('writeQuorum', resolved.writeQuorum, replicationFactor)
  positive('readQuorum', resolved.readQuorum, replicationFactor)
  positive('requestTimeout', resolved.requestTimeout)
  positive('joinTimeout', resolved.joinTimeout)
  positive('maxInboundStreamsPerPeer', resolved.maxInboundStreamsPerPeer, 4096)
  positive('maxRequestsPerPeerPerSecond', resolved.maxRequestsPerPeerPerSecond)
  positive('rendezvousInterval', resolved.rendezvousInterval)
  positive('tombstoneGracePeriod', resolved.tombstoneGracePeriod)
  if (typeof resolved.catalog !== 'string' || resolved.catalog.length === 0 || resolved.catalog.length > 128) {
    throw new InvalidOptionsError(`catalog must be a name of 1 to 128 characters; got ${JSON.stringify(resolved.catalog)}`)
  }
  if (!['all', 'public', 'private'].includes(resolved.addressFilter)) {
    throw new InvalidOptionsError(`addressFilter must be 'all', 'public' or 'private'; got ${String(resolved.addressFilter)}`)
  }
  for (const protocol of [resolved.dhtProtocol, resolved.recordProtocol]) {
    if (!protocol.startsWith('/')) {
      throw new InvalidOptionsError(`A protocol id must start with "/"; got "${protocol}"`)
    }
  }
  return resolved
}

/** A running product-dht peer. */
export class ProductNode {
  /** the underlying libp2p host, for what this API does not cover */
  readonly libp2p: ProductHost
  private readonly options: ResolvedOptions
  private readonly datastore: Datastore
  private readonly store: RecordStore
  private readonly view: RecordPeerView
  private readonly server?: RecordServer
  private readonly client: RecordClient
  private readonly replicator: Replicator
  private readonly rendezvous: Rendezvous
  private readonly versions = new Map<string, bigint>()
  private readonly publisherKey: PrivateKey
  private readonly policy: PublisherPolicy
  private purgeTimer?: ReturnType<typeof setInterval>
  private purging?: Promise<void>
  private running = true

  /** @internal use createProductNode() */
  constructor (host: ProductHost, datastore: Datastore, options: ResolvedOptions, publishing: { publisherKey: PrivateKey, policy: PublisherPolicy }) {
    this.libp2p = host
    this.options = options
    this.publisherKey = publishing.publisherKey
    this.policy = publishing.policy
    this.datastore = datastore
    this.store = new RecordStore(datastore)
    this.view = new RecordPeerView({
      peerId: host.peerId,
      peerStore: host.peerStore,
      events: host
    }, { protocol: options.recordProtocol, selfIsReplica: !options.clientMode })
    if (!options.clientMode) {
      this.server = new RecordServer({
        handle: host.handle.bind(host),
        unhandle: host.unhandle.bind(host),
        store: this.store,
        closerPeers: this.closerPeerHints.bind(this)
      }, {
        protocol: options.recordProtocol,
        requestTimeout: options.requestTimeout,
        maxInboundStreamsPerPeer: options.maxInboundStreamsPerPeer,
        maxRequestsPerPeerPerSecond: options.maxRequestsPerPeerPerSecond,
        policy: this.policy
      })
    }
    this.client = new RecordClient({ dialProtocol: host.dialProtocol.bind(host) }, {
      protocol: options.recordProtocol,
      requestTimeout: options.requestTimeout
    })
    const learnAddresses = async (peer: PeerId, addrs: Multiaddr[]): Promise<void> => {
      await host.peerStore.merge(peer, { multiaddrs: addrs, protocols: [options.recordProtocol] })
    }
    this.rendezvous = new Rendezvous({
      peerId: host.peerId,
      view: this.view,
      learnAddresses,
      routing: {
        provide: async (cid, opts) => provideCid(host, cid, opts),
        findProviders: (cid, opts) => findProviderPeers(host, cid, opts)
      }
    }, {
      cid: rendezvousCid(options.catalog),
      announce: !options.clientMode,
      // fewer record peers than two replica sets: look for more through the rendezvous
      minPeers: 2 * options.replicationFactor,
      interval: options.rendezvousInterval,
      timeout: options.joinTimeout
    })
    this.replicator = new Replicator({
      peerId: host.peerId,
      view: this.view,
      client: this.client,
      localServer: this.server,
      findClosestPeers: async (key, opts) => {
        // a lookup with an empty routing table waits until aborted: bound it
        const timeout = AbortSignal.timeout(options.requestTimeout)
        const signal = opts?.signal == null ? timeout : AbortSignal.any([opts.signal, timeout])
        // where record peers are a minority, the closest peers to a key may not
        // be record peers at all: look for the catalog's providers as well
        const [closest, discovered] = await Promise.all([
          findClosestPeers(host, key, { signal }),
          this.rendezvous.discover({ signal })
        ])
        return [...discovered, ...closest]
      },
      learnAddresses
    }, { ...options, policy: this.policy })
  }

  /** @internal */
  async start (): Promise<void> {
    await this.server?.start()
    await this.view.start()
    const signal = AbortSignal.timeout(this.options.joinTimeout)
    const reached = await joinNetwork(this.libp2p, this.options.bootstrap, { signal })
    // identify events of the last connections may still be on their way
    await this.view.refresh()
    if (reached > 0) {
      await this.rendezvous.join({ signal })
    } else if (this.options.bootstrap.length > 0) {
      log.error('no bootstrap peer could be reached; running alone until a peer dials in')
    }
    this.rendezvous.start()
    if (this.server !== undefined) {
      // purge at least as often as the grace period, at most hourly
      this.purgeTimer = setInterval(() => { void this.purgeExpired() }, Math.min(this.options.tombstoneGracePeriod, 3_600_000))
      this.purgeTimer.unref()
    }
  }

  get peerId (): PeerId {
    return this.libp2p.peerId
  }

  /** The addresses other peers can dial, each ending in `/p2p/<peer id>`. */
  getMultiaddrs (): Multiaddr[] {
    return this.libp2p.getMultiaddrs()
  }

  /** Number of other record-protocol peers this node knows. */
  get knownPeers (): number {
    return this.view.size
  }

  /** The peers this node would store `id` on now, closest first. */
  replicasOf (id: string): PeerId[] {
    return this.replicator.replicaSet(productKey(id))
  }

  /** Peer id form of the key this node signs with by default. */
  get publisher (): string {
    return publisherIdOf(this.publisherKey)
  }

  /**
   * Validates `input`, signs it and stores it on the replica set with the
   * next version. Rejects before anything goes on the wire with
   * InvalidProductError, or UnauthorizedPublisherError in a closed catalog
   * whose list lacks the key; after asking the replicas with NotOwnerError
   * (another key owns the product), VersionConflictError (compare-and-set
   * failed) or QuorumError (fewer than W replicas acknowledged).
   */
  async putProduct (input: ProductInput, options: PutOptions = {}): Promise<WriteResult> {
    this.assertRunning()
    const product = validateProduct(input)
    const key = productKey(product.id)
    const expiresAt = options.expiresAt === undefined ? 0 : new Date(options.expiresAt).getTime()
    if (!Number.isSafeInteger(expiresAt) || expiresAt < 0 || (expiresAt !== 0 && expiresAt <= Date.now())) {
      throw new InvalidProductError([{ field: 'expiresAt', message: 'must be a date in the future' }])
    }
    return this.writeVersioned(key, version => createRecord(key, product, version, Date.now(), expiresAt), 'put', options)
  }

  /**
   * Deletes a product: writes a signed tombstone with the next version, so
   * that a delayed older put cannot bring it back. Rejects like putProduct.
   */
  async deleteProduct (id: string, options: DeleteOptions = {}): Promise<WriteResult> {
    this.assertRunning()
    validateProductId(id)
    const key = productKey(id)
    return this.writeVersioned(key, version => createTombstone(key, version, Date.now()), 'delete', options)
  }

  /** The product, or undefined when the replicas that answered hold none (or a delete). */
  async getProduct (id: string, options: AbortOptions = {}): Promise<Product | undefined> {
    return (await this.getRecord(id, options))?.product
  }

  /**
   * The product with its version, publisher and how many replicas answered
   * and agreed, or undefined when none holds it (or it was deleted, or has
   * expired). Records that fail their signature check are ignored. Rejects
   * with QuorumError when fewer than R replicas could be asked: not reached
   * is never reported as not found.
   */
  async getRecord (id: string, options: AbortOptions = {}): Promise<ProductRecord | undefined> {
    this.assertRunning()
    validateProductId(id)
    const key = productKey(id)
    const outcome = await this.readQuorum(key, options)
    const newest = outcome.newest
    if (newest === undefined) {
      return undefined
    }
    this.rememberVersion(key, newest.version)
    // the replicator checked it (signature included) before choosing it
    const product = productOf(newest)
    if (product === undefined || isExpired(newest)) {
      return undefined
    }
    return {
      product,
      version: Number(newest.version),
      updatedAt: new Date(Number(newest.updatedAt)),
      answered: outcome.answered,
      agreed: outcome.agreed,
      publisher: publisherOf(newest),
      ...(newest.expiresAt === 0n ? {} : { expiresAt: new Date(Number(newest.expiresAt)) })
    }
  }

  /** The products this node holds as a replica (deleted ones left out). */
  async * localProducts (options: AbortOptions = {}): AsyncGenerator<Product> {
    for await (const record of this.store.entries(options)) {
      if (record.tombstone) {
        continue
      }
      try {
        const product = validateRecord(record, record.key)
        if (product !== undefined) {
          yield product
        }
      } catch (err) {
        log.error('skipping an invalid stored record - %e', err)
      }
    }
  }

  /** Stops the node: libp2p, the record protocol and the data store. */
  async stop (): Promise<void> {
    if (!this.running) {
      return
    }
    this.running = false
    clearInterval(this.purgeTimer)
    await this.purging
    await this.rendezvous.stop()
    await this.replicator.stop()
    this.client.close()
    await this.server?.stop()
    this.view.stop()
    await this.libp2p.stop()
    if (this.datastore instanceof LevelDatastore) {
      await this.datastore.close()
    }
  }

  private async readQuorum (key: KeyBytes, options: AbortOptions): Promise<ReadOutcome> {
    const outcome = await this.replicator.read(key, options)
    if (outcome.answered < this.options.readQuorum) {
      throw new QuorumError('get', this.options.readQuorum, outcome.answered, outcome.failed)
    }
    return outcome
  }

  private async writeVersioned (key: KeyBytes, make: (version: bigint) => WireRecord, operation: 'put' | 'delete', options: PutOptions | DeleteOptions): Promise<WriteResult> {
    const keyText = keyToString(key)
    const signer = options.publisherKey ?? this.publisherKey
    assertPublisherKey(signer)
    if (!this.policy.mayPublish(signer.publicKey)) {
      throw new UnauthorizedPublisherError(`${publisherIdOf(signer)} is not in this catalog's publishers list`)
    }
    const conditional = options.expectedVersion !== undefined
    let version: bigint
    if (options.expectedVersion !== undefined) {
      if (!Number.isSafeInteger(options.expectedVersion) || options.expectedVersion < 0) {
        throw new InvalidOptionsError(`expectedVersion must be a whole number ≥ 0; got ${options.expectedVersion}`)
      }
      // compare against what a quorum holds now (R + W > r: it sees the last acknowledged write)
      const held = (await this.readQuorum(key, options)).newest
      // a deleted or expired product counts as absent: version 0
      const current = held === undefined || held.tombstone || isExpired(held) ? 0n : held.version
      if (current !== BigInt(options.expectedVersion)) {
        throw new VersionConflictError(`${operation} of ${keyText} expected version ${options.expectedVersion}; the replicas hold version ${current}`, Number(current))
      }
      version = (held?.version ?? 0n) + 1n
    } else {
      version = (this.versions.get(keyText) ?? 0n) + 1n
    }
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const record = await signRecord(make(version), signer)
      encodeRecord(record) // throws RecordTooLargeError before anything is sent
      const outcome = await this.replicator.write(record, { signal: options.signal, expectedVersion: conditional ? version - 1n : undefined })
      if (outcome.forbidden !== undefined) {
        if (outcome.acked.length > 0) {
          log.error('%s of %s was refused by some replicas (%s) and taken by %d', operation, keyText, outcome.forbidden.reason, outcome.acked.length)
        }
        const owner = outcome.forbidden.held === undefined ? undefined : publisherOf(outcome.forbidden.held)
        throw this.policy.closed
          ? new UnauthorizedPublisherError(outcome.forbidden.reason)
          : new NotOwnerError(`${operation} of ${keyText} refused: ${outcome.forbidden.reason}`, owner)
      }
      if (outcome.newer !== undefined && outcome.acked.length < this.options.writeQuorum) {
        if (conditional) {
          throw new VersionConflictError(`${operation} of ${keyText} lost to another writer of version ${outcome.newer.version}`, Number(outcome.newer.version))
        }
        // a replica holds this version or a newer one: build on it and try again
        log('%s of %s met version %d; retrying', operation, keyText, outcome.newer.version)
        version = outcome.newer.version + 1n
        continue
      }
      if (conditional) {
        // a compare-and-set counts only acks of the key's true replica set: two
        // writers whose failovers reached different stand-ins could otherwise both win
        const replicas = new Set(this.replicator.closestReplicas(key).map(String))
        const counted = outcome.acked.filter(peer => replicas.has(peer.toString())).length
        if (counted < this.options.writeQuorum) {
          throw outcome.newer === undefined
            ? new QuorumError(operation, this.options.writeQuorum, counted, outcome.failed)
            : new VersionConflictError(`${operation} of ${keyText} lost to another writer of version ${outcome.newer.version}`, Number(outcome.newer.version))
        }
      }
      if (outcome.acked.length < this.options.writeQuorum) {
        throw new QuorumError(operation, this.options.writeQuorum, outcome.acked.length, outcome.failed)
      }
      this.rememberVersion(key, version)
      return {
        key: keyText,
        version: Number(version),
        replicas: outcome.acked.map(p => p.toString()),
        failed: outcome.failed,
        publisher: publisherOf(record)
      }
    }
    throw new VersionConflictError(`${operation} of ${keyText} kept meeting newer versions (concurrent writers); read and try again`, Number(version - 1n))
  }

  /** Deletes tombstones and expired records older than the grace period. */
  private async purgeExpired (): Promise<void> {
    if (this.purging !== undefined || !this.running) {
      return
    }
    const grace = BigInt(this.options.tombstoneGracePeriod)
    this.purging = (async () => {
      const now = BigInt(Date.now())
      const purged = await this.store.purge(record =>
        (record.tombstone && record.updatedAt + grace <= now) ||
        (record.expiresAt !== 0n && record.expiresAt + grace <= now))
      if (purged > 0) log('purged %d tombstones and expired records', purged)
    })().catch(err => { log.error('purging failed - %e', err) }).finally(() => { this.purging = undefined })
    await this.purging
  }

  private rememberVersion (key: Uint8Array, version: bigint): void {
    const keyText = keyToString(key)
    if ((this.versions.get(keyText) ?? 0n) >= version) {
      return
    }
    this.versions.delete(keyText)
    this.versions.set(keyText, version)
    if (this.versions.size > VERSION_CACHE_SIZE) {
      // a Map iterates in insertion order: drop the least recently written
      this.versions.delete(this.versions.keys().next().value as string)
    }
  }

  private async closerPeerHints (key: Uint8Array, requester: PeerId, asked: boolean, options?: AbortOptions): Promise<PeerHint[]> {
    const peers = this.view.hintsFor(key, this.options.replicationFactor, requester, asked)
    const hints: PeerHint[] = []
    for (const peer of peers) {
      try {
        const stored = await this.libp2p.peerStore.get(peer, options ?? {})
        hints.push({ id: peer.toMultihash().bytes, addrs: stored.addresses.map(a => a.multiaddr.bytes) })
      } catch {
        // forgotten by the peer store since: nothing to hint
      }
    }
    return hints
  }

  private assertRunning (): void {
    if (!this.running) {
      throw new NotStartedError('The node has been stopped')
    }
  }
}

function publisherIdOf (key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString()
}

function validateProductId (id: string): void {
  validateProduct({ id, name: 'x', price: '0', currency: 'EUR' })
}

/** Creates a product node and starts it; resolves once it has joined the network. */
export async function createProductNode (options: ProductNodeOptions = {}): Promise<ProductNode> {
  const resolved = resolveOptions(options)
  let datastore: Datastore
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true })
    const level = new LevelDatastore(options.dataDir)
    await level.open()
    datastore = level
  } else {
    datastore = new MemoryDatastore()
  }
  try {
    const privateKey = options.privateKey ?? await loadOrCreatePrivateKey(datastore)
    const publisherKey = options.publisherKey ?? privateKey
    try {
      assertPublisherKey(publisherKey)
    } catch (err) {
      throw new InvalidOptionsError(`publisherKey: ${(err as Error).message}`)
    }
    const policy = new PublisherPolicy(options.publishers)
    const host = await createHost({ ...resolved, privateKey, datastore })
    const node = new ProductNode(host, datastore, resolved, { publisherKey, policy })
    try {
      await node.start()
    } catch (err) {
      await node.stop()
      throw err
    }
    return node
  } catch (err) {
    if (datastore instanceof LevelDatastore) {
      await datastore.close().catch(() => {})
    }
    throw err
  }
}
