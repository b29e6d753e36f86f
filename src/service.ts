/**
 * productStore(): product-dht as a libp2p service. It goes into the
 * `services` of any libp2p node (or Helia's), takes what it needs from the
 * node's components, and wires the parts: the record store in the node's
 * datastore (under `/product-dht`), the record protocol's server and client,
 * the replication layer, and catalog discovery. The rules of where records
 * live and how quorums count are in replication/, not here.
 */
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { NotStartedError, serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { NamespaceDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { TypedEventEmitter } from 'main-event'
import { CatalogDiscovery } from './discovery/catalog-discovery.js'
import { NeighbourhoodLookup } from './discovery/neighbourhood.js'
import { waitForIdentify } from './discovery/identified.js'
import { RememberedPeers } from './discovery/remembered-peers.js'
import { InvalidParametersError, InvalidProductError } from './errors.js'
import { keyToString, productKey, rendezvousCid } from './model/keys.js'
import { Request } from './model/messages.js'
import { validateProduct } from './model/product.js'
import { PublisherPolicy, publisherOf } from './model/publishers.js'
import { createRecord, createTombstone, isExpired, productOf, validateRecord } from './model/record.js'
import { assertPublisherKey } from './model/signature.js'
import { VerifiedRecords } from './model/verified-records.js'
import { resolveStoreOptions } from './options.js'
import { RecordClient } from './protocol/client.js'
import { RequestHandlers } from './protocol/handlers/index.js'
import { RecordServer } from './protocol/server.js'
import { DepartureWatch } from './replication/departures.js'
import { KnownVersions } from './replication/known-versions.js'
import { emptyMaintenanceStats, Maintenance } from './replication/maintenance.js'
import { RecordPeerView } from './replication/peer-view.js'
import { ReplicaQuery } from './replication/query.js'
import { ReadRepair } from './replication/read-repair.js'
import { Reader } from './replication/reader.js'
import { RecordCheck } from './replication/record-check.js'
import { Writer } from './replication/writer.js'
import { ExpiredRecordPurge } from './store/purge.js'
import { LastRunning } from './store/last-running.js'
import { RecordStore } from './store/record-store.js'
import type { DhtPeers } from './discovery/catalog-discovery.js'
import type { NeighbourhoodOptions, NeighbourhoodResult } from './discovery/neighbourhood.js'
import type { ProductStoreInit, ResolvedStoreOptions } from './options.js'
import type { RecordClientComponents } from './protocol/client.js'
import type { DepartureWatchComponents } from './replication/departures.js'
import type { RecordServerComponents } from './protocol/server.js'
import type { KeyBytes } from './model/keys.js'
import type { WireRecord } from './model/record.js'
import type { DeleteOptions, GetOptions, OperationFinishedEvent, Product, ProductInput, ProductRecord, ProductStoreEvents, PutOptions, StoreStatus, WriteResult } from './types.js'
import type { AbortOptions, ComponentLogger, ContentRouting, CounterGroup, Libp2pEvents, Logger, Metrics, PeerId, PeerRouting, PeerStore, PrivateKey, Startable, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'

/** What the service takes from libp2p's components. */
export interface ProductStoreComponents {
  peerId: PeerId
  privateKey: PrivateKey
  peerStore: PeerStore
  registrar: RecordServerComponents['registrar']
  connectionManager: RecordClientComponents['connectionManager'] & DepartureWatchComponents['connectionManager']
  peerRouting: PeerRouting
  contentRouting: ContentRouting
  datastore: Datastore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  metrics?: Metrics
}

/** Where this service keeps its records in the node's datastore. */
const DATASTORE_NAMESPACE = new Key('/product-dht')

/** ms a discovery in the background may take. */
const DISCOVERY_TIMEOUT = 30_000

/** The key a departed peer is asked for to show it is back: any key will do, as any answer will. */
const PROBE_KEY = productKey('product-dht:probe')

/**
 * The product store service, as `libp2p.services.products` (and
 * `ProductNode`) offers it. Start and stop it through its libp2p node.
 */
export interface ProductStore extends TypedEventTarget<ProductStoreEvents> {
  /** Validates, signs and stores a product on its replica set with the next version. */
  putProduct(input: ProductInput, options?: PutOptions): Promise<WriteResult>
  /** Writes a signed tombstone with the next version. */
  deleteProduct(id: string, options?: DeleteOptions): Promise<WriteResult>
  /** The product, or undefined when the replicas that answered hold none (or a delete). */
  getProduct(id: string, options?: GetOptions): Promise<Product | undefined>
  /** The product with its version, publisher and how many replicas answered and agreed. */
  getRecord(id: string, options?: GetOptions): Promise<ProductRecord | undefined>
  /** The products this node holds as a replica (deleted ones left out). */
  localProducts(options?: AbortOptions): AsyncGenerator<Product>
  /** The peers this node would store `id` on now, closest first. */
  replicasOf(id: string): PeerId[]
  /** Number of other record-protocol peers this node knows. */
  readonly knownPeers: number
  /** Peer id form of the key this node signs with by default (undefined when the node's own key cannot sign records). */
  readonly publisher: PeerId | undefined
  /** Looks for the catalog's record peers now, then announces this node in the background. */
  discoverPeers(options?: AbortOptions): Promise<void>
  /**
   * Asks the record peers this node is connected to which record peers it
   * should know: the nearest to it and a few from each part of the keyspace.
   * After that its puts and gets rank every key's replicas as the network
   * does, without waiting for the DHT's lookups. Then, unless `dial` is
   * false, a lookup of its own position: it asks its nearest record peers,
   * which learn of it, until it met the r nearest it can find.
   * createProductNode runs it in its join (the dialling part in the
   * background); call it after dialling a record peer of your own.
   */
  joinNeighbourhood(options?: NeighbourhoodOptions): Promise<NeighbourhoodResult>
  /**
   * The addresses (with `/p2p/<peer id>`) of record peers this node saved in
   * its datastore while it last ran: its keyspace neighbours and a few others.
   * A node restarted with a persistent datastore can join through them when no
   * bootstrap peer is given or none answers (createProductNode does).
   */
  rememberedPeers(options?: AbortOptions): Promise<Multiaddr[]>
  /** How many records this node holds, how many peers it knows, and what replica maintenance did. */
  status(): StoreStatus
  /**
   * Runs a replica-maintenance pass now (anti-entropy with every neighbour,
   * hand-offs) and resolves when it ended; passes also run by themselves
   * after the view changes and on every sweep.
   */
  maintain(): Promise<void>
}

class DefaultProductStore extends TypedEventEmitter<ProductStoreEvents> implements ProductStore, Startable {
  readonly [Symbol.toStringTag] = 'product-dht'
  readonly [serviceCapabilities]: string[] = ['product-dht:product-store']
  // identify tells which peers speak the record protocol; peer and content
  // routing (kad-dht) find record peers when the view is thin
  readonly [serviceDependencies]: string[] = ['@libp2p/identify', '@libp2p/peer-routing', '@libp2p/content-routing']

  private readonly components: ProductStoreComponents
  private readonly options: ResolvedStoreOptions
  private readonly log: Logger
  private readonly publisherKey?: PrivateKey
  private readonly policy: PublisherPolicy
  private readonly store: RecordStore
  private readonly view: RecordPeerView
  private readonly handlers?: RequestHandlers
  private readonly server?: RecordServer
  private readonly client: RecordClient
  private readonly discovery: CatalogDiscovery
  private readonly neighbourhood: NeighbourhoodLookup
  private readonly query: ReplicaQuery
  private readonly repair: ReadRepair
  private readonly reader: Reader
  private readonly writer: Writer
  private readonly purge?: ExpiredRecordPurge
  private readonly maintenance?: Maintenance
  private readonly departures: DepartureWatch
  private readonly remembered: RememberedPeers
  private readonly lastRunning: LastRunning
  private readonly operations?: CounterGroup
  private readonly failures?: CounterGroup
  private started = false
  private readonly onPeerConnect = (): void => { this.discovery.onConnected() }

  constructor (components: ProductStoreComponents, init: ProductStoreInit = {}) {
    super()
    this.components = components
    this.options = resolveStoreOptions(init)
    const options = this.options
    const { logger } = components
    this.log = logger.forComponent('product-dht')
    this.publisherKey = choosePublisherKey(init.publisherKey, components.privateKey)
    this.policy = new PublisherPolicy(options.publishers)
    const ownDatastore = new NamespaceDatastore(components.datastore, DATASTORE_NAMESPACE)
    this.store = new RecordStore({ datastore: ownDatastore, logger })
    this.view = new RecordPeerView(components, {
      protocol: options.recordProtocol,
      selfIsReplica: !options.clientMode,
      onChange: () => { if (this.started) this.maintenance?.viewChanged() }
    })
    this.lastRunning = new LastRunning(ownDatastore, this.log)
    this.remembered = new RememberedPeers({ peerId: components.peerId, peerStore: components.peerStore, datastore: ownDatastore, view: this.view, logger })
    this.departures = new DepartureWatch({
      view: this.view,
      connectionManager: components.connectionManager,
      // any answer will do, NOT_FOUND included: it comes from a live record peer
      probe: async (peer, opts) => { await this.client.send(peer, { type: Request.Type.GET, key: PROBE_KEY, wantPeers: false, ranges: [] }, opts) },
      events: components.events,
      logger
    }, {
      dialTimeout: options.requestTimeout
    })
    // one per node: what this node validated itself, for its reads and its handlers alike
    const verified = new VerifiedRecords()
    const check = new RecordCheck(this.policy, this.log, verified)
    if (!options.clientMode) {
      this.handlers = new RequestHandlers({
        store: this.store,
        policy: this.policy,
        logger,
        verified,
        hints: async (key, requester, asked, opts) => this.view.hintsFor(key, options.replicationFactor, requester, asked, opts),
        neighbourhood: async (key, requester, spread, opts) => this.view.neighbourhoodFor(key, options.replicationFactor, requester, spread, opts),
        sharedWith: requester => key => this.maintenance?.shares(requester, key) ?? false,
        onStored: (record, from) => { this.onStored(record, from) }
      })
      this.server = new RecordServer({ registrar: components.registrar, handlers: this.handlers, logger }, {
        protocol: options.recordProtocol,
        requestTimeout: options.requestTimeout,
        maxInboundStreamsPerPeer: options.maxInboundStreamsPerPeer,
        maxRequestsPerPeerPerSecond: options.maxRequestsPerPeerPerSecond
      })
      this.purge = new ExpiredRecordPurge(this.store, this.log, {
        gracePeriod: options.tombstoneGracePeriod,
        onPurged: record => {
          this.safeDispatchEvent('replica:removed', {
            detail: { key: keyToString(record.key), id: record.product?.id, version: Number(record.version), reason: 'purged' }
          })
        }
      })
    }
    this.client = new RecordClient({ connectionManager: components.connectionManager, logger }, {
      protocol: options.recordProtocol,
      requestTimeout: options.requestTimeout
    })
    this.discovery = new CatalogDiscovery({
      peerId: components.peerId,
      view: this.view,
      peerRouting: components.peerRouting,
      contentRouting: components.contentRouting,
      dhtPeers: async () => dhtPeers(components, options.recordProtocol),
      logger
    }, {
      cid: rendezvousCid(options.catalog),
      announce: !options.clientMode,
      // fewer record peers than two replica sets: look for more through the rendezvous
      minPeers: 2 * options.replicationFactor,
      interval: options.discoveryInterval,
      timeout: DISCOVERY_TIMEOUT,
      lookupTimeout: options.requestTimeout
    })
    this.neighbourhood = new NeighbourhoodLookup({
      peerId: components.peerId,
      view: this.view,
      connectedPeers: () => components.connectionManager.getConnections().map(connection => connection.remotePeer),
      send: async (peer, request, opts) => this.client.send(peer, request, opts),
      logger
    }, { replicationFactor: options.replicationFactor })
    this.query = new ReplicaQuery({
      peerId: components.peerId,
      view: this.view,
      client: this.client,
      local: this.handlers,
      findCandidates: async (key, opts) => this.discovery.findCandidates(key, opts),
      check,
      logger
    }, { replicationFactor: options.replicationFactor })
    const versions = new KnownVersions()
    this.repair = new ReadRepair(this.query)
    if (this.handlers !== undefined) {
      this.maintenance = new Maintenance({
        peerId: components.peerId,
        view: this.view,
        store: this.store,
        local: this.handlers,
        send: async (peer, request, opts) => this.query.send(peer, request, opts),
        logger,
        onHandedOff: record => {
          this.safeDispatchEvent('replica:removed', {
            detail: { key: keyToString(record.key), id: record.product?.id, version: Number(record.version), reason: 'handed-off' }
          })
        },
        onDroppedStale: record => {
          this.safeDispatchEvent('replica:removed', {
            detail: { key: keyToString(record.key), id: record.product?.id, version: Number(record.version), reason: 'stale' }
          })
        }
      }, {
        replicationFactor: options.replicationFactor,
        readQuorum: options.readQuorum,
        interval: options.maintenanceInterval,
        settleDelay: options.maintenanceDelay,
        rate: options.maintenanceRate
      })
    }
    this.reader = new Reader({
      query: this.query,
      check,
      repair: this.repair,
      versions,
      unsettled: () => this.maintenance?.unsettled() ?? false
    }, options)
    this.writer = new Writer({ query: this.query, reader: this.reader, check, versions, policy: this.policy }, options)
    this.operations = components.metrics?.registerCounterGroup('product_dht_operations_total', { label: 'operation', help: 'Puts, deletes and gets this node ran' })
    this.failures = components.metrics?.registerCounterGroup('product_dht_operation_errors_total', { label: 'operation', help: 'Puts, deletes and gets that rejected' })
    components.metrics?.registerMetric('product_dht_records_held', { help: 'Records this node holds as a replica, tombstones included', calculate: () => this.store.size })
    components.metrics?.registerCounter('product_dht_read_repairs_total', { help: 'Replicas this node\'s reads brought up to date (read repair)', calculate: () => this.repair.repaired })
    components.metrics?.registerCounter('product_dht_read_hedges_total', { help: 'Replicas this node\'s gets asked beyond R because those asked first were slow (hedged reads)', calculate: () => this.query.hedged })
    const server = this.server
    if (server !== undefined) {
      components.metrics?.registerCounter('product_dht_busy_sent_total', { help: 'BUSY answers this node sent to peers over its per-peer stream or request limits', calculate: () => server.busySent })
    }
    const maintenance = this.maintenance
    if (maintenance !== undefined) {
      components.metrics?.registerMetric('product_dht_records_under_replicated', { help: 'Records the last maintenance pass could not confirm on r peers', calculate: () => maintenance.stats.underReplicated })
      components.metrics?.registerMetric('product_dht_records_held_back', { help: 'Records held back since the node came back after longer than the tombstone grace period, until the network confirms them', calculate: () => this.store.heldBackCount })
      components.metrics?.registerMetricGroup('product_dht_maintenance_total', {
        label: 'what',
        help: 'What replica maintenance did: passes, syncs, failed syncs, SYNC messages and bytes, records pushed, pulled, handed off and dropped as stale',
        calculate: () => {
          const { passes, syncs, failedSyncs, syncMessages, syncBytes, pushed, pulled, handedOff, droppedStale } = maintenance.stats
          return { passes, syncs, failed_syncs: failedSyncs, sync_messages: syncMessages, sync_bytes: syncBytes, pushed, pulled, handed_off: handedOff, dropped_stale: droppedStale }
        }
      })
    }
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) {
      return
    }
    this.repair.start()
    // the index of what this node holds, before it serves or maintains anything
    await this.store.load()
    if (this.handlers !== undefined) {
      await this.holdBackAfterLongAbsence()
      await this.lastRunning.start()
    }
    await this.server?.start()
    await this.view.start()
    this.discovery.start()
    this.departures.start()
    this.components.events.addEventListener('peer:connect', this.onPeerConnect)
    this.purge?.start()
    this.maintenance?.start()
    this.remembered.start()
    this.started = true
    // records from an earlier run: bring them and their replicas up to date once peers are known
    if (this.store.size + this.store.heldBackCount > 0) this.maintenance?.viewChanged()
  }

  async stop (): Promise<void> {
    if (!this.started) {
      return
    }
    this.started = false
    this.components.events.removeEventListener('peer:connect', this.onPeerConnect)
    // both abort their work at once; the record client closes before any
    // await, so its idle streams are reset while the connections still stand
    const background = Promise.all([this.maintenance?.stop(), this.departures.stop()])
    this.client.close()
    await this.purge?.stop()
    await this.discovery.stop()
    await this.repair.stop()
    await background
    // while the view still holds the peers met in this run
    await this.remembered.stop()
    if (this.handlers !== undefined) await this.lastRunning.stop()
    await this.server?.stop()
    this.view.stop()
  }

  /**
   * A node away longer than the tombstone grace period may hold a product
   * deleted meanwhile whose tombstones are purged everywhere: it holds back
   * every record until the network confirms it (see RecordStore and
   * replication/held-back-check.ts), so nothing deleted comes back.
   */
  private async holdBackAfterLongAbsence (): Promise<void> {
    const last = await this.lastRunning.read()
    const away = last === undefined ? 0 : Date.now() - last
    if (away > this.options.tombstoneGracePeriod && this.store.size > 0) {
      const count = await this.store.holdBackAll()
      this.log.error('away for %d s, longer than the tombstone grace period: %d records held back until the network confirms them', Math.round(away / 1000), count)
    }
    if (this.maintenance !== undefined) this.maintenance.stats.heldBack = this.store.heldBackCount
  }

  /**
   * Looks for the catalog's record peers now (through the DHT's provider
   * records) when fewer than 2r are known, then announces this node in the
   * background. createProductNode calls it once it has joined; call it after
   * dialling peers of your own.
   */
  async discoverPeers (options: AbortOptions = {}): Promise<void> {
    this.assertRunning()
    // called right after a dial, identify may not yet have told which peers speak a DHT protocol
    await waitForIdentify({ getConnections: peer => this.components.connectionManager.getConnections(peer), peerStore: this.components.peerStore, events: this.components.events }, options)
    await this.discovery.join(options)
  }

  async joinNeighbourhood (options: NeighbourhoodOptions = {}): Promise<NeighbourhoodResult> {
    this.assertRunning()
    return this.neighbourhood.run(options)
  }

  async rememberedPeers (options?: AbortOptions): Promise<Multiaddr[]> {
    return this.remembered.load(options)
  }

  status (): StoreStatus {
    return { records: this.store.size, knownPeers: this.view.size, readRepairs: this.repair.repaired, busySent: this.server?.busySent ?? 0, maintenance: { ...(this.maintenance?.stats ?? emptyMaintenanceStats()) } }
  }

  async maintain (): Promise<void> {
    this.assertRunning()
    await this.maintenance?.run()
  }

  /** Number of other record-protocol peers this node knows. */
  get knownPeers (): number {
    return this.view.size
  }

  /** The peers this node would store `id` on now, closest first. */
  replicasOf (id: string): PeerId[] {
    return this.query.replicaSet(productKey(id))
  }

  /** Peer id form of the key this node signs with by default (undefined when the node's own key cannot sign records). */
  get publisher (): PeerId | undefined {
    return this.publisherKey === undefined ? undefined : peerIdFromPrivateKey(this.publisherKey)
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
    return this.track('put', product.id, key, async () =>
      this.write(key, version => createRecord(key, product, version, Date.now(), expiresAt), 'put', { ...options, label: product.id }))
  }

  /**
   * Deletes a product: writes a signed tombstone with the next version, so
   * that a delayed older put cannot bring it back. Rejects like putProduct.
   */
  async deleteProduct (id: string, options: DeleteOptions = {}): Promise<WriteResult> {
    this.assertRunning()
    const key = productKey(validateProductId(id))
    return this.track('delete', id, key, async () =>
      this.write(key, version => createTombstone(key, version, Date.now()), 'delete', { ...options, label: id }))
  }

  /** The product, or undefined when the replicas that answered hold none (or a delete). */
  async getProduct (id: string, options: GetOptions = {}): Promise<Product | undefined> {
    return (await this.getRecord(id, options))?.product
  }

  /**
   * The product with its version, publisher and how many replicas answered
   * and agreed, or undefined when none holds it (or it was deleted, or has
   * expired). Records that fail their signature check are ignored. Rejects
   * with QuorumError when fewer than R replicas could be asked: not reached
   * is never reported as not found.
   */
  async getRecord (id: string, options: GetOptions = {}): Promise<ProductRecord | undefined> {
    this.assertRunning()
    const key = productKey(validateProductId(id))
    return this.track('get', id, key, async () => {
      await this.neighbourhood.catchUp(options)
      const known = this.view.additionCount
      let outcome = await this.reader.read(key, options)
      if (outcome.newest === undefined && this.neighbourhood.joining) {
        // still joining: the holders may be peers that joined after this node
        // last asked; once its view holds peers it did not when it read, read again
        await this.neighbourhood.catchUp(options, true)
        if (this.view.additionCount > known) outcome = await this.reader.read(key, options)
      }
      const newest = outcome.newest
      // the reader checked it (signature included) before choosing it
      const product = newest === undefined || isExpired(newest) ? undefined : productOf(newest)
      if (newest === undefined || product === undefined) {
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
    })
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
        this.log.error('skipping an invalid stored record - %s', (err as Error).message)
      }
    }
  }

  private async write (key: KeyBytes, make: (version: bigint) => WireRecord, operation: 'put' | 'delete', options: (PutOptions | DeleteOptions) & { label: string }): Promise<WriteResult> {
    const signer = options.publisherKey ?? this.publisherKey
    if (signer === undefined) {
      throw new InvalidParametersError(`This node's key (${this.components.privateKey.type}) cannot sign records: pass publisherKey (Ed25519 or secp256k1)`)
    }
    if (options.publisherKey !== undefined) {
      checkPublisherKey(options.publisherKey)
    }
    if (options.expectedVersion !== undefined && (!Number.isSafeInteger(options.expectedVersion) || options.expectedVersion < 0)) {
      throw new InvalidParametersError(`expectedVersion must be a whole number ≥ 0; got ${options.expectedVersion}`)
    }
    // a node still joining first learns of the peers that joined after it (see catchUp)
    await this.neighbourhood.catchUp(options, true)
    const receipt = await this.writer.write(key, make, operation, { ...options, signer })
    return {
      key: keyToString(key),
      version: Number(receipt.record.version),
      replicas: receipt.acked,
      failed: receipt.failed,
      publisher: publisherOf(receipt.record)
    }
  }

  /** Runs one operation, counts it and tells listeners when it finished. */
  private async track <T extends WriteResult | ProductRecord | undefined> (operation: OperationFinishedEvent['operation'], id: string, key: Uint8Array, run: () => Promise<T>): Promise<T> {
    const started = performance.now()
    const finished = (extra: Partial<OperationFinishedEvent>): void => {
      this.operations?.increment({ [operation]: true })
      // the event's key text (base58) costs more than the rest of it: built only for listeners
      if (this.listenerCount('operation:finished') === 0) return
      this.safeDispatchEvent('operation:finished', {
        detail: { operation, id, key: keyToString(key), duration: performance.now() - started, ...extra }
      })
    }
    try {
      const result = await run()
      finished(result === undefined ? { found: false } : { version: result.version, ...(operation === 'get' ? { found: true } : {}) })
      return result
    } catch (err) {
      this.failures?.increment({ [operation]: true })
      finished({ error: (err as Error).name })
      throw err
    }
  }

  private onStored (record: WireRecord, from: PeerId): void {
    const key = keyToString(record.key)
    const version = Number(record.version)
    if (record.product == null) {
      this.safeDispatchEvent('replica:removed', { detail: { key, version, reason: 'deleted', from } })
    } else {
      this.safeDispatchEvent('replica:stored', { detail: { key, id: record.product.id, version, from } })
    }
  }

  private assertRunning (): void {
    if (!this.started) {
      throw new NotStartedError('The product store is not running: start the node first')
    }
  }
}

/** A DHT protocol id: `/ipfs/kad/1.0.0`, `/product-dht/kad/1.0.0`, `/ipfs/lan/kad/1.0.0`, … */
const DHT_PROTOCOL = /\/kad\/[^/]+$/

/**
 * Which DHT peers this node is connected to (identify told the peer store):
 * any at all, and any that do not speak the record protocol (a foreign
 * network, where record peers must announce themselves to be found).
 */
async function dhtPeers (components: ProductStoreComponents, recordProtocol: string): Promise<DhtPeers> {
  const found: DhtPeers = { any: false, strangers: false }
  for (const connection of components.connectionManager.getConnections()) {
    const peer = await components.peerStore.get(connection.remotePeer).catch(() => undefined)
    if (peer?.protocols.some(protocol => DHT_PROTOCOL.test(protocol)) === true) {
      found.any = true
      // judged only once identify told all its protocols (it records the agent
      // version): a peer's first DHT stream names that protocol alone
      if (peer.metadata.has('AgentVersion') && !peer.protocols.includes(recordProtocol)) {
        found.strangers = true
        return found
      }
    }
  }
  return found
}

/** A product id checked as putProduct would check it; throws InvalidProductError naming `id`. */
function validateProductId (id: string): string {
  return validateProduct({ id, name: 'x', price: '0', currency: 'EUR' }).id
}

function checkPublisherKey (key: PrivateKey): void {
  try {
    assertPublisherKey(key)
  } catch (err) {
    throw new InvalidParametersError(`publisherKey: ${(err as Error).message}`)
  }
}

/** The key given (checked), else the node's own key where it can sign records. */
function choosePublisherKey (given: PrivateKey | undefined, nodeKey: PrivateKey): PrivateKey | undefined {
  if (given !== undefined) {
    checkPublisherKey(given)
    return given
  }
  try {
    assertPublisherKey(nodeKey)
    return nodeKey
  } catch {
    return undefined
  }
}

/**
 * product-dht as a libp2p service:
 *
 * ```ts
 * const node = await createLibp2p({
 *   // …transports, encrypters, muxers of your own…
 *   services: { identify: identify(), ping: ping(), dht: kadDHT({ … }), products: productStore({ catalog: 'acme' }) }
 * })
 * await node.services.products.putProduct({ id: 'P001', name: 'Widget', price: '9.99', currency: 'EUR' })
 * ```
 *
 * It needs identify and a peer and content router (kad-dht) on the node.
 */
export function productStore (init: ProductStoreInit = {}): (components: ProductStoreComponents) => ProductStore {
  // checked here, so that a bad option fails where it was written
  resolveStoreOptions(init)
  void new PublisherPolicy(init.publishers)
  if (init.publisherKey !== undefined) {
    checkPublisherKey(init.publisherKey)
  }
  return components => new DefaultProductStore(components, init)
}
