/**
 * Telling a record peer that left from one whose connection merely closed.
 *
 * When the last connection to a record peer closes, this node dials it again
 * after a short pause: an idle connection that the connection manager (here
 * or there) pruned comes back, and the peer stays; a peer whose dial fails
 * has departed and leaves the view, which starts re-replication of what it
 * held. Dials run a few at a time, so a mass departure is no dial storm.
 *
 * A departed peer is dialled again now and then (after 5 s, the pause doubling
 * up to a minute, for an hour). Nothing else would: libp2p's own reconnects give up
 * after about a minute, and a hint naming a departed peer does not bring it
 * back. Without these dials the two sides of a partition that lasted longer
 * than that stayed apart after it healed, until a DHT query happened to
 * connect them minutes later. A dial that opens a new connection brings the
 * peer back through identify. A dial can also return a connection that never
 * closed (a partition healed under it before any ping noticed, or requests
 * failed on a live but overloaded connection): no identify comes then, so the
 * peer must answer a record request before it is back.
 */
import { setMaxListeners } from 'node:events'
import PQueue from 'p-queue'
import type { RecordPeerView } from './peer-view.js'
import type { AbortOptions, ComponentLogger, Connection, Libp2pEvents, Logger, PeerId, TypedEventTarget } from '@libp2p/interface'

export interface DepartureWatchComponents {
  view: RecordPeerView
  /** libp2p's connection manager (the part this uses) */
  connectionManager: {
    getConnections(peer?: PeerId): Connection[]
    openConnection(peer: PeerId, options?: AbortOptions): Promise<Connection>
  }
  /** sends `peer` a record request and resolves on any answer; rejects when none comes */
  probe(peer: PeerId, options: AbortOptions): Promise<void>
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export interface DepartureWatchInit {
  /** ms after a disconnect before the redial (default 500): a reconnect under way makes it moot */
  pause?: number
  /** ms the redial may take (default 5000) */
  dialTimeout?: number
  /** redials at once (default 4) */
  concurrency?: number
  /** ms after a departure before the first dial of the departed peer (default 5000); the pause doubles after each dial */
  retryFirst?: number
  /** the longest pause between two dials of a departed peer (default 60000) */
  retryMax?: number
  /** ms after its departure when a peer is no longer dialled (default 3600000); a connection it makes still brings it back */
  retryFor?: number
}

/** A departed peer this node dials again now and then. */
interface Away {
  peer: PeerId
  /** when this node first saw it departed (ms since the epoch) */
  since: number
  /** when to dial it next */
  next: number
  /** ms until the dial after that */
  pause: number
  dialling: boolean
}

export class DepartureWatch {
  private readonly components: DepartureWatchComponents
  private readonly pause: number
  private readonly dialTimeout: number
  private readonly log: Logger
  private readonly queue: PQueue
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly retryFirst: number
  private readonly retryMax: number
  private readonly retryFor: number
  private readonly away = new Map<string, Away>()
  private retryTimer?: ReturnType<typeof setInterval>
  private controller = new AbortController()
  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => {
    const peer = event.detail
    const id = peer.toString()
    if (!this.components.view.has(peer) || this.timers.has(id) || this.controller.signal.aborted) {
      return
    }
    const timer = setTimeout(() => {
      this.timers.delete(id)
      this.queue.add(async () => this.check(peer)).catch(err => { this.log.error('checking %p failed - %e', peer, err) })
    }, this.pause)
    timer.unref()
    this.timers.set(id, timer)
  }

  constructor (components: DepartureWatchComponents, init: DepartureWatchInit = {}) {
    this.components = components
    this.pause = init.pause ?? 500
    this.dialTimeout = init.dialTimeout ?? 5_000
    this.queue = new PQueue({ concurrency: init.concurrency ?? 4 })
    this.retryFirst = init.retryFirst ?? 5_000
    this.retryMax = init.retryMax ?? 60_000
    this.retryFor = init.retryFor ?? 3_600_000
    this.log = components.logger.forComponent('product-dht:departures')
  }

  start (): void {
    this.controller = new AbortController()
    setMaxListeners(Infinity, this.controller.signal)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    // a look every few seconds at most: the pauses themselves are per peer
    this.retryTimer = setInterval(() => { this.redialDeparted() }, Math.min(this.retryFirst, 5_000))
    this.retryTimer.unref()
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.controller.abort()
    clearInterval(this.retryTimer)
    this.retryTimer = undefined
    this.away.clear()
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.queue.clear()
    await this.queue.onIdle()
  }

  /** Redials `peer` unless it is connected again; a failed dial means it departed. */
  private async check (peer: PeerId): Promise<void> {
    const { view, connectionManager } = this.components
    if (this.controller.signal.aborted || !view.has(peer) || connectionManager.getConnections(peer).length > 0) {
      return
    }
    try {
      await connectionManager.openConnection(peer, { signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.dialTimeout)]) })
    } catch (err) {
      if (this.controller.signal.aborted) {
        return
      }
      this.log('record peer %p departed: redial failed - %s', peer, (err as Error).message)
      view.markDeparted(peer)
    }
  }

  /** Dials the departed peers whose pause is over; forgets those that came back. */
  private redialDeparted (): void {
    if (this.controller.signal.aborted) return
    const now = Date.now()
    const departed = this.components.view.departedPeers()
    const ids = new Set(departed.map(String))
    for (const id of this.away.keys()) {
      if (!ids.has(id)) this.away.delete(id)
    }
    for (const peer of departed) {
      const id = peer.toString()
      let away = this.away.get(id)
      if (away === undefined) {
        away = { peer, since: now, next: now + this.retryFirst, pause: this.retryFirst, dialling: false }
        this.away.set(id, away)
      }
      if (away.dialling || away.next > now || now - away.since > this.retryFor) continue
      away.dialling = true
      const entry = away
      this.queue.add(async () => this.dialDeparted(entry)).catch(err => { this.log.error('dialling departed %p failed - %e', peer, err) })
    }
  }

  private async dialDeparted (away: Away): Promise<void> {
    try {
      if (this.controller.signal.aborted) return
      const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.dialTimeout)])
      await this.components.connectionManager.openConnection(away.peer, { signal })
      // identify on a new connection puts the peer back in the view; on one
      // that stayed open, an answered request does
      if (this.components.view.isDeparted(away.peer)) {
        await this.components.probe(away.peer, { signal })
        this.components.view.returned(away.peer)
      }
      this.log('departed record peer %p answered', away.peer)
    } catch (err) {
      if (!this.controller.signal.aborted) this.log('departed record peer %p still unreachable - %s', away.peer, (err as Error).message)
    } finally {
      away.dialling = false
      // also after a dial that connected: identify may not bring it back (no record protocol any more)
      away.pause = Math.min(2 * away.pause, this.retryMax)
      away.next = Date.now() + away.pause
    }
  }
}
