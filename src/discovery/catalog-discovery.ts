/**
 * Finding a catalog's record peers through the host's routing (the DHT).
 *
 * In a DHT of our own every peer speaks the record protocol and identify
 * finds them. In a foreign network (the public IPFS DHT, a swarm of Go peers)
 * record peers are a small minority and a node's routing table may hold none
 * of them. There every record peer announces itself as a provider of the
 * catalog's rendezvous CID, and a node looks its providers up when it joins
 * and again whenever its view is too thin to fill a replica set.
 */
import { setMaxListeners } from 'node:events'
import type { RecordPeerView } from '../replication/peer-view.js'
import type { AbortOptions, ComponentLogger, ContentRouting, Logger, PeerId, PeerRouting } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** ms after a first connection before a node nobody joined announces and discovers by itself. */
const CONNECTED_PAUSE = 10_000
/**
 * ms before the first check again while the view is thin or the announce is
 * due; it doubles after each check that found nobody new, up to the interval.
 * A node that joined before its peers had announced themselves finds them
 * within seconds instead of one whole interval later.
 */
const FIRST_RETRY = 2_000
/**
 * ms during which a request whose view is too thin does not look up again,
 * after a lookup that found no peer the view did not already hold (while the
 * view stays as it was): in a network smaller than r, every put and get would
 * otherwise pay for a DHT lookup that can find nobody new.
 */
const FRUITLESS_PAUSE = 30_000

export interface CatalogDiscoveryComponents {
  peerId: PeerId
  view: RecordPeerView
  /** libp2p's peer routing (kad-dht's lookups) */
  peerRouting: Pick<PeerRouting, 'getClosestPeers'>
  /** libp2p's content routing (kad-dht's provider records) */
  contentRouting: Pick<ContentRouting, 'provide' | 'findProviders'>
  /** which connected peers speak a DHT protocol, and whether any of them is not a record peer */
  dhtPeers(): Promise<DhtPeers>
  logger: ComponentLogger
}

/** The DHT peers a node is connected to. */
export interface DhtPeers {
  /** some connected peer speaks a DHT protocol: with none, kad-dht has nobody to ask and a query waits until it is aborted */
  any: boolean
  /**
   * some of them do not speak the record protocol: a foreign network, where
   * a DHT lookup may meet no record peer at all and record peers announce
   * themselves as providers. Among record peers only, identify finds them
   * and neither the announce nor the providers lookup is needed.
   */
  strangers: boolean
}

export interface CatalogDiscoveryInit {
  /** the catalog's rendezvous CID */
  cid: CID
  /** true when this node holds replicas and should be found (server mode) */
  announce: boolean
  /** a view with fewer remote record peers than this is too thin: discover again */
  minPeers: number
  /** ms between checks whether to announce or discover again */
  interval: number
  /** ms one announce or discovery in the background may take */
  timeout: number
  /** ms the lookup of a request whose view is too thin may take */
  lookupTimeout: number
}

export class CatalogDiscovery {
  private readonly components: CatalogDiscoveryComponents
  private readonly init: CatalogDiscoveryInit
  private readonly log: Logger
  private controller = new AbortController()
  private announced = false
  /** false while the last check met no DHT peer that is not a record peer (nobody to announce to) */
  private announceNeeded = true
  private timer?: ReturnType<typeof setTimeout>
  /** ms to the next check while one is due (thin view, announce not taken) */
  private retryDelay = FIRST_RETRY
  private pending?: ReturnType<typeof setTimeout>
  private background?: Promise<void>
  /** discoveries a caller waits for (join, a thin view's lookup): stop() ends and awaits them too */
  private readonly foreground = new Set<Promise<unknown>>()
  /** after a lookup that found nobody new: until when, and for which view epoch, lookups pause */
  private fruitless?: { until: number, epoch: number }

  constructor (components: CatalogDiscoveryComponents, init: CatalogDiscoveryInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('product-dht:discovery')
  }

  /**
   * Starts the periodic check (announce until someone was told; discover
   * while the view is thin): every interval, and sooner, backing off, while
   * one of them is due.
   */
  start (): void {
    this.controller = new AbortController()
    setMaxListeners(Infinity, this.controller.signal)
    this.announced = false
    this.announceNeeded = true
    this.retryDelay = FIRST_RETRY
    this.schedule(this.init.interval)
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    clearTimeout(this.pending)
    this.pending = undefined
    this.controller.abort()
    await Promise.allSettled([this.background, ...this.foreground])
  }

  /**
   * Called once the node has joined: when the view is thin, discovers the
   * catalog's record peers (bounded by the caller's signal), then announces
   * this node in the background. Nobody waits for the announce: where record
   * peers are many, identify finds a new node anyway. It starts after the
   * discovery so that this node is not among the providers it looks up.
   */
  async join (options: AbortOptions = {}): Promise<void> {
    const thin = this.thin()
    // a join that used up its time leaves the discovery to the background
    const late = options.signal?.aborted === true
    if (thin && !late) {
      await this.discover(options)
    }
    void this.runInBackground(true, thin && late)
    // peers that had not announced themselves yet are looked for again soon
    this.retrySoon()
  }

  /** Runs `task` with the caller's signal joined to stop()'s, and lets stop() wait for it. */
  private async tracked <T> (options: AbortOptions, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = options.signal == null ? this.controller.signal : AbortSignal.any([options.signal, this.controller.signal])
    setMaxListeners(Infinity, signal)
    const running = task(signal)
    this.foreground.add(running)
    try {
      return await running
    } finally {
      this.foreground.delete(running)
    }
  }

  /**
   * A peer connected. In a node whose own code dials its peers (the service
   * in a libp2p node built by hand) nobody calls join(): a while after the
   * first connection, when this node has not announced itself yet, it
   * announces and discovers in the background. The pause lets a join that
   * is under way (createProductNode's) do it first, with a full routing table.
   */
  onConnected (): void {
    if (this.announced || this.pending !== undefined || this.controller.signal.aborted) {
      return
    }
    this.pending = setTimeout(() => {
      this.pending = undefined
      if (!this.announced) void this.maintain()
    }, CONNECTED_PAUSE)
    this.pending.unref()
  }

  /** Tells the DHT this node provides the rendezvous CID. Never rejects: a failed announce is retried later. */
  async announce (options: AbortOptions): Promise<void> {
    if (!this.init.announce) {
      return
    }
    // with no DHT peer, nobody would take the announcement: it stays due, and
    // maintain() tries again; among record peers only, nobody needs it until
    // a stranger turns up (the periodic check looks again)
    const peers = await this.components.dhtPeers()
    this.announceNeeded = !peers.any || peers.strangers
    if (!peers.strangers) {
      return
    }
    try {
      await this.components.contentRouting.provide(this.init.cid, options)
      this.announced = true
      this.log('announced %c', this.init.cid)
    } catch (err) {
      this.log.error('announcing %c failed - %s', this.init.cid, (err as Error).message)
    }
  }

  /**
   * Looks up the providers of the rendezvous CID and adds those not yet
   * known to the view; among record peers only, looks up this node's own
   * id instead. Resolves to the providers added; never rejects.
   */
  async discover (options: AbortOptions): Promise<PeerId[]> {
    return this.tracked(options, async signal => {
      const added: PeerId[] = []
      const { view, peerId } = this.components
      const peers = await this.components.dhtPeers()
      if (!peers.any) {
        return added
      }
      if (!peers.strangers) {
        // among record peers only nobody announces, and every peer a lookup
        // meets is a record peer: a lookup of this node's own id connects
        // the closest of them, and identify adds them to the view
        const met = await this.closestPeers(peerId.toMultihash().bytes, { signal })
        this.log('a lookup of this node met %d peers', met.length)
        return added
      }
      try {
        for await (const provider of this.components.contentRouting.findProviders(this.init.cid, { signal })) {
          if (provider.id.equals(peerId) || view.has(provider.id)) {
            continue
          }
          signal.throwIfAborted()
          await view.addWithAddresses(provider.id, provider.multiaddrs, { signal })
          added.push(provider.id)
        }
      } catch (err) {
        this.log('discovering providers of %c ended - %s', this.init.cid, (err as Error).message)
      }
      this.log('discovered %d new record peers through %c', added.length, this.init.cid)
      return added
    })
  }

  /**
   * Peers that may be close to `key`, for a request whose view is too thin:
   * a DHT lookup of the key and, where record peers are a minority and the
   * closest peers may not be record peers at all, the catalog's providers.
   * Bounded by `lookupTimeout` as well as the caller's signal.
   */
  async findCandidates (key: Uint8Array, options: AbortOptions = {}): Promise<PeerId[]> {
    const { view, peerId } = this.components
    if (this.fruitless !== undefined && this.fruitless.until > Date.now() && this.fruitless.epoch === view.epoch) {
      return []
    }
    const peers = await this.components.dhtPeers()
    if (!peers.any) {
      return []
    }
    const epoch = view.epoch
    const timeout = AbortSignal.timeout(this.init.lookupTimeout)
    const found = await this.tracked({ signal: options.signal == null ? timeout : AbortSignal.any([options.signal, timeout]) }, async signal => {
      const [closest, discovered] = await Promise.all([
        this.closestPeers(key, { signal }),
        peers.strangers ? this.discover({ signal }) : []
      ])
      return [...discovered, ...closest]
    })
    const news = found.filter(p => !p.equals(peerId) && !view.has(p))
    this.fruitless = news.length === 0 && view.epoch === epoch ? { until: Date.now() + FRUITLESS_PAUSE, epoch } : undefined
    if (this.fruitless !== undefined) this.log('a lookup found no record peer beyond the view; the next ones wait %d s or a change of the view', FRUITLESS_PAUSE / 1000)
    return found
  }

  /** A DHT lookup of the peers closest to `key`; whatever it found when it ends or fails. */
  private async closestPeers (key: Uint8Array, options: AbortOptions): Promise<PeerId[]> {
    const peers = new Map<string, PeerId>()
    try {
      for await (const peer of this.components.peerRouting.getClosestPeers(key, options)) {
        peers.set(peer.id.toString(), peer.id)
      }
    } catch (err) {
      this.log('lookup ended - %s', (err as Error).message)
    }
    return [...peers.values()]
  }

  private thin (): boolean {
    return this.components.view.size < this.init.minPeers
  }

  /** Whether a check has work to do: an announce nobody took yet, or a view too thin. */
  private due (): boolean {
    return (this.init.announce && !this.announced && this.announceNeeded) || this.thin()
  }

  /** (Re)arms the single check timer `ms` from now. */
  private schedule (ms: number): void {
    clearTimeout(this.timer)
    if (this.controller.signal.aborted) {
      return
    }
    this.timer = setTimeout(() => { void this.maintain() }, ms)
    // a timer must not keep a process alive whose nodes were all stopped
    this.timer.unref()
  }

  /** Brings the next check forward to the retry delay, when one is due. */
  private retrySoon (): void {
    if (this.due()) {
      this.schedule(Math.min(this.retryDelay, this.init.interval))
    }
  }

  private async maintain (): Promise<void> {
    const before = this.components.view.size
    await this.runInBackground(!this.announced, this.thin())
    if (!this.due()) {
      this.retryDelay = FIRST_RETRY
      this.schedule(this.init.interval)
      return
    }
    // nobody new: wait longer next time; someone new: more may be arriving
    this.retryDelay = this.components.view.size > before ? FIRST_RETRY : Math.min(2 * this.retryDelay, this.init.interval)
    this.schedule(Math.min(this.retryDelay, this.init.interval))
  }

  /** Runs an announce and/or a discovery in the background, one at a time; resolves when it ends, never rejects. */
  private async runInBackground (announce: boolean, discover: boolean): Promise<void> {
    const needsAnnounce = announce && this.init.announce
    if (this.background !== undefined) {
      return this.background
    }
    if ((!needsAnnounce && !discover) || this.controller.signal.aborted) {
      return
    }
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.init.timeout)])
    setMaxListeners(Infinity, signal)
    this.background = Promise.all([
      needsAnnounce ? this.announce({ signal }) : undefined,
      discover ? this.discover({ signal }) : undefined
    ]).then(() => {}, err => { this.log.error('background discovery failed - %e', err) })
      .finally(() => { this.background = undefined })
    return this.background
  }
}
