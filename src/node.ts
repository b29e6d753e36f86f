/**
 * createProductNode(): the one-call way to a ready product node. It builds a
 * libp2p host with the product store service (host.ts), keeps its records
 * and identity in `dataDir` (or in memory), and joins the network through
 * the bootstrap peers.
 */
import './polyfill.js'
import { setMaxListeners } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { MemoryDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { BootstrapError } from './errors.js'
import { createHost } from './host.js'
import { BootstrapRetry, joinNetwork, routingTableFilled } from './join.js'
import { resolveNodeOptions } from './options.js'
import { loadOrCreatePrivateKey } from './store/identity.js'
import type { ProductHost } from './host.js'
import type { JoinResult } from './join.js'
import type { ProductNodeOptions, ResolvedNodeOptions } from './options.js'
import type { ProductStore } from './service.js'
import type { DeleteOptions, GetOptions, Product, ProductInput, ProductRecord, ProductStoreEvents, PutOptions, StoreStatus, WriteResult } from './types.js'
import type { AbortOptions, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'

/** ms the remembered peers get at least, when bootstrap peers that did not answer took the join's time. */
const REJOIN_MIN_TIME = 10_000

/** A product-dht peer: a libp2p host with the product store service, and the way it joins. */
export class ProductNode {
  /** the underlying libp2p host, for what this API does not cover */
  readonly libp2p: ProductHost
  private readonly options: ResolvedNodeOptions
  private readonly datastore: Datastore
  private readonly log: Logger
  private retry?: BootstrapRetry
  /** the join's background part (settle()), while it runs; stop() aborts it */
  private settling?: { promise: Promise<void>, controller: AbortController }
  private datastoreOpen = true
  private started = false
  private starting?: Promise<void>

  /** @internal use createProductNode() */
  constructor (host: ProductHost, datastore: Datastore, options: ResolvedNodeOptions) {
    this.libp2p = host
    this.datastore = datastore
    this.options = options
    this.log = host.logger.forComponent('product-dht:node')
  }

  /** The product store service: the API below, and its events (`replica:stored`, `replica:removed`, `operation:finished`). */
  get products (): ProductStore {
    return this.libp2p.services.products
  }

  /**
   * Starts libp2p and the service, then joins through the bootstrap peers
   * (within `joinTimeout` and `signal`). Rejects with BootstrapError when
   * none can be reached, unless the node was created with `startAlone`.
   * A stopped node can be started again.
   */
  async start (options: AbortOptions = {}): Promise<void> {
    // a second call while the first runs waits for the same start
    this.starting ??= this.startOnce(options).finally(() => { this.starting = undefined })
    return this.starting
  }

  private async startOnce (options: AbortOptions): Promise<void> {
    if (this.started) {
      return
    }
    try {
      options.signal?.throwIfAborted()
      await this.openDatastore()
      await this.libp2p.start()
      await this.join(options)
      this.started = true
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  /** Stops the node: libp2p, the service, background retries, and the data store. */
  async stop (): Promise<void> {
    this.started = false
    await this.retry?.stop()
    this.retry = undefined
    this.settling?.controller.abort()
    await this.settling?.promise
    this.settling = undefined
    await this.libp2p.stop()
    if (this.datastore instanceof LevelDatastore && this.datastoreOpen) {
      this.datastoreOpen = false
      await this.datastore.close()
    }
  }

  /**
   * Resolves when the part of the join left to the background has ended:
   * the lookup of this node's own id, which fills its routing table and
   * makes it known to its closest peers, and the search for more record
   * peers. The node can put and get before; other nodes learn of it as that
   * lookup reaches them. Tests that count each node's peers or check exact
   * placement, and benchmarks that measure a settled network, wait for it.
   * Resolves at once when nothing runs; rejects only when `signal` aborts.
   */
  async settled (options: AbortOptions = {}): Promise<void> {
    const running = this.settling?.promise
    if (running === undefined) {
      return
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const onAbort = (): void => { reject(options.signal?.reason) }
    options.signal?.throwIfAborted()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    running.then(resolve, resolve)
    try {
      await promise
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** True between a start that resolved and the next stop. */
  isStarted (): boolean {
    return this.started
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
    return this.products.knownPeers
  }

  /** The peers this node would store `id` on now, closest first. */
  replicasOf (id: string): PeerId[] {
    return this.products.replicasOf(id)
  }

  /** Peer id form of the key this node signs with by default. */
  get publisher (): PeerId | undefined {
    return this.products.publisher
  }

  /** See ProductStore.putProduct. */
  async putProduct (input: ProductInput, options?: PutOptions): Promise<WriteResult> {
    return this.products.putProduct(input, options)
  }

  /** See ProductStore.deleteProduct. */
  async deleteProduct (id: string, options?: DeleteOptions): Promise<WriteResult> {
    return this.products.deleteProduct(id, options)
  }

  /** See ProductStore.getProduct. */
  async getProduct (id: string, options?: GetOptions): Promise<Product | undefined> {
    return this.products.getProduct(id, options)
  }

  /** See ProductStore.getRecord. */
  async getRecord (id: string, options?: GetOptions): Promise<ProductRecord | undefined> {
    return this.products.getRecord(id, options)
  }

  /** The products this node holds as a replica (deleted ones left out). */
  localProducts (options?: AbortOptions): AsyncGenerator<Product> {
    return this.products.localProducts(options)
  }

  /** See ProductStore.status: records held, peers known, what replica maintenance did. */
  status (): StoreStatus {
    return this.products.status()
  }

  /** See ProductStore.maintain: a replica-maintenance pass now. */
  async maintain (): Promise<void> {
    await this.products.maintain()
  }

  /** Listens to the service's events. */
  addEventListener<K extends keyof ProductStoreEvents> (type: K, listener: (event: ProductStoreEvents[K]) => void): void {
    this.products.addEventListener(type, listener)
  }

  removeEventListener<K extends keyof ProductStoreEvents> (type: K, listener: (event: ProductStoreEvents[K]) => void): void {
    this.products.removeEventListener(type, listener)
  }

  private async openDatastore (): Promise<void> {
    if (this.datastore instanceof LevelDatastore && !this.datastoreOpen) {
      await this.datastore.open()
      this.datastoreOpen = true
    }
  }

  /**
   * Joins through the bootstrap peers, or through the record peers this node
   * remembers from its last run (a persistent data directory) when no
   * bootstrap peer is given or none answers.
   */
  private async join (options: AbortOptions): Promise<void> {
    const { bootstrap, joinTimeout, startAlone } = this.options
    const until = Date.now() + joinTimeout
    const remembered = (await this.products.rememberedPeers(options)).map(String)
    if (bootstrap.length > 0) {
      const joined = await joinNetwork(this.libp2p, bootstrap, this.log, { signal: options.signal, timeout: joinTimeout })
      if (joined.reached > 0) {
        await this.afterJoin(until, options)
        return
      }
      const rejoined = remembered.length > 0 ? await this.rejoin(remembered, until, options) : { reached: 0, failures: [] }
      if (rejoined.reached > 0) {
        this.log.error('no bootstrap peer could be reached; joined through the peers remembered from the last run')
        return
      }
      // the error names every address tried: the bootstrap list, then the remembered peers
      const failures = [...joined.failures, ...rejoined.failures.map(f => ({ ...f, reason: `remembered from the last run: ${f.reason}` }))]
      if (!startAlone) {
        throw new BootstrapError(failures)
      }
      this.runAlone(`no bootstrap peer could be reached (${failures.map(f => `${f.address}: ${f.reason}`).join('; ')})`, [...bootstrap, ...remembered])
      return
    }
    // no bootstrap list: the first node of a network, or a node restarted with its data directory
    if (remembered.length > 0 && (await this.rejoin(remembered, until, options)).reached === 0) {
      this.runAlone(`no peer remembered from the last run answered (${remembered.join(', ')})`, remembered)
    }
  }

  /** Joins through the addresses of remembered peers within what is left of the join's time. */
  private async rejoin (remembered: string[], until: number, options: AbortOptions): Promise<JoinResult> {
    // bootstrap peers that timed out may have taken the join's time: the remembered get some of their own
    const left = Math.max(until - Date.now(), Math.min(REJOIN_MIN_TIME, this.options.joinTimeout))
    const joined = await joinNetwork(this.libp2p, remembered, this.log, { signal: options.signal, timeout: left })
    if (joined.reached > 0) {
      this.log('rejoined through %d of %d remembered addresses', joined.reached, remembered.length)
      await this.afterJoin(until, options)
    }
    return joined
  }

  /**
   * After a bootstrap peer answered. When a peer met speaks the record
   * protocol, the node asks it which record peers it should know: its
   * nearest and a few from each part of the keyspace (joinNeighbourhood
   * without dialling). Then it is ready: its puts and gets rank every key's
   * replicas as the network does. What makes it known to others goes on in
   * the background (settled() waits for it): the DHT's lookup of its own id,
   * which connects it to its nearest peers and fills kad-dht's routing
   * table, then its own lookup among record peers. So nodes joining at once
   * do not queue behind each other's lookups. Where no peer met speaks the
   * record protocol (a foreign network's bootstrap peers) the node looks
   * first. All within what is left of the join's time; what it cuts short
   * goes on in the background.
   */
  private async afterJoin (until: number, options: AbortOptions): Promise<void> {
    const left = until - Date.now()
    const deadline = left > 0 ? AbortSignal.timeout(left) : AbortSignal.abort(new DOMException('The join took all its time', 'TimeoutError'))
    const signal = options.signal == null ? deadline : AbortSignal.any([options.signal, deadline])
    setMaxListeners(Infinity, signal)
    try {
      if (this.products.knownPeers === 0) {
        await this.settle({ signal })
        return
      }
      await this.products.joinNeighbourhood({ signal, dial: false })
    } catch (err) {
      options.signal?.throwIfAborted()
      if (!deadline.aborted) throw err
      this.log('the join took all its time; going on in the background')
    }
    this.settleInBackground()
  }

  /**
   * What the join leaves to the background: the DHT's lookup of this node's
   * own id, the search for record peers, and the lookup of its neighbourhood
   * among them.
   */
  private async settle (options: AbortOptions): Promise<void> {
    await routingTableFilled(this.libp2p, this.log, options)
    await this.products.discoverPeers(options)
    if (this.products.knownPeers > 0) {
      await this.products.joinNeighbourhood(options)
    }
  }

  /** Runs settle() in the background, bounded by the join timeout; stop() ends it. */
  private settleInBackground (): void {
    const controller = new AbortController()
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.options.joinTimeout)])
    setMaxListeners(Infinity, signal)
    const promise = this.settle({ signal }).catch(err => {
      if (!controller.signal.aborted) this.log('the join\'s lookups in the background ended - %s', (err as Error).message)
    }).finally(() => {
      if (this.settling?.promise === promise) this.settling = undefined
    })
    this.settling = { promise, controller }
  }

  /** Starts with no peer, says so loudly, and keeps dialling `addresses` in the background. */
  private runAlone (why: string, addresses: string[]): void {
    const message = `product-dht: ${why}; running alone and retrying in the background`
    this.log.error(message)
    // a warning, not a debug line: a node that silently runs alone is the trap this option must not set
    process.emitWarning(message, { code: 'PRODUCT_DHT_STARTED_ALONE' })
    this.retry = new BootstrapRetry(this.libp2p, addresses, this.log, async opts => this.settle(opts))
    this.retry.start()
  }
}

/**
 * Creates a product node and, unless `start: false`, starts it: resolves
 * once it has joined the network through its bootstrap peers. Rejects with
 * InvalidParametersError for bad options and BootstrapError when no
 * bootstrap peer can be reached (see `startAlone`).
 */
export async function createProductNode (options: ProductNodeOptions = {}): Promise<ProductNode> {
  const resolved = resolveNodeOptions(options)
  let datastore: Datastore
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true })
    const level = new LevelDatastore(options.dataDir)
    await level.open()
    datastore = level
  } else {
    datastore = new MemoryDatastore()
  }
  let node: ProductNode
  try {
    const privateKey = options.privateKey ?? await loadOrCreatePrivateKey(datastore)
    const host = await createHost({
      privateKey,
      datastore,
      options: resolved,
      dht: options.dht,
      metrics: options.metrics,
      products: { ...resolved, publisherKey: options.publisherKey }
    })
    node = new ProductNode(host, datastore, resolved)
  } catch (err) {
    if (datastore instanceof LevelDatastore) {
      await datastore.close().catch(() => {})
    }
    throw err
  }
  if (options.start !== false) {
    await node.start({ signal: options.signal })
  }
  return node
}
