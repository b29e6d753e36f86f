/**
 * Finding a catalog's record peers through the DHT's provider records.
 *
 * In a DHT of our own every peer speaks the record protocol and identify
 * finds them. In a foreign network (the public IPFS DHT, a swarm of Go peers)
 * record peers are a small minority and a node's routing table may hold none
 * of them. There every record peer announces itself as a provider of the
 * catalog's rendezvous CID, and a node looks its providers up when it joins
 * and again whenever its view is too thin to fill a replica set.
 */
import { logger } from '@libp2p/logger'
import type { RecordPeerView } from './peer-view.js'
import type { AbortOptions, PeerId, PeerInfo } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'

const log = logger('product-dht:rendezvous')

/** The two DHT operations the rendezvous needs. */
export interface RendezvousRouting {
  /** announces this node as a provider of `cid`; resolves to how many peers were told */
  provide(cid: CID, options: AbortOptions): Promise<number>
  /** providers of `cid` found in the DHT (this node's own record included) */
  findProviders(cid: CID, options: AbortOptions): AsyncIterable<PeerInfo>
}

export interface RendezvousComponents {
  peerId: PeerId
  routing: RendezvousRouting
  view: RecordPeerView
  /** keeps a provider's addresses (and that it speaks the record protocol) in the peer store */
  learnAddresses(peer: PeerId, addrs: Multiaddr[]): Promise<void>
}

export interface RendezvousInit {
  /** the catalog's rendezvous CID */
  cid: CID
  /** true when this node holds replicas and should be found (server mode) */
  announce: boolean
  /** a view with fewer remote record peers than this is too thin: discover again */
  minPeers: number
  /** ms between checks whether to announce or discover again */
  interval: number
  /** ms one announce or discovery may take when run in the background */
  timeout: number
}

export class Rendezvous {
  private readonly components: RendezvousComponents
  private readonly init: RendezvousInit
  private readonly controller = new AbortController()
  private announced = false
  private timer?: ReturnType<typeof setInterval>
  private background?: Promise<void>

  constructor (components: RendezvousComponents, init: RendezvousInit) {
    this.components = components
    this.init = init
  }

  /**
   * Called once the node has joined: when the view is thin, discovers the
   * catalog's record peers (bounded by the caller's signal), then announces
   * this node in the background. Nobody waits for the announce: where record
   * peers are many, identify finds a new node anyway. It starts after the
   * discovery so that this node is not among the providers it looks up.
   */
  async join (options: AbortOptions): Promise<void> {
    if (this.components.view.size < this.init.minPeers) {
      await this.discover(options)
    }
    this.runInBackground(true, false)
  }

  /** Starts the periodic check (announce until someone was told; discover while the view is thin). */
  start (): void {
    this.timer = setInterval(() => { this.maintain() }, this.init.interval)
    // a timer must not keep a process alive whose nodes were all stopped
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.controller.abort()
    await this.background
  }

  /** Tells the DHT this node provides the rendezvous CID. Never rejects: a failed announce is retried later. */
  async announce (options: AbortOptions): Promise<void> {
    if (!this.init.announce) {
      return
    }
    try {
      const told = await this.components.routing.provide(this.init.cid, options)
      this.announced = this.announced || told > 0
      log('announced %c to %d peers', this.init.cid, told)
    } catch (err) {
      log.error('announcing %c failed - %e', this.init.cid, err)
    }
  }

  /**
   * Looks up the providers of the rendezvous CID and adds those not yet
   * known to the view. Resolves to the peers added; never rejects.
   */
  async discover (options: AbortOptions): Promise<PeerId[]> {
    const added: PeerId[] = []
    try {
      for await (const provider of this.components.routing.findProviders(this.init.cid, options)) {
        const { view } = this.components
        if (provider.id.equals(this.components.peerId) || view.has(provider.id)) {
          continue
        }
        await this.components.learnAddresses(provider.id, provider.multiaddrs)
        view.add(provider.id)
        added.push(provider.id)
      }
    } catch (err) {
      log.error('discovering providers of %c failed - %e', this.init.cid, err)
    }
    log('discovered %d new record peers through %c', added.length, this.init.cid)
    return added
  }

  private maintain (): void {
    this.runInBackground(!this.announced, this.components.view.size < this.init.minPeers)
  }

  private runInBackground (announce: boolean, discover: boolean): void {
    const needsAnnounce = announce && this.init.announce
    if (this.background !== undefined || (!needsAnnounce && !discover)) {
      return
    }
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.init.timeout)])
    this.background = Promise.all([
      needsAnnounce ? this.announce({ signal }) : undefined,
      discover ? this.discover({ signal }) : undefined
    ]).then(() => {}).finally(() => { this.background = undefined })
  }
}
