/**
 * Telling a record peer that left from one whose connection merely closed.
 *
 * When the last connection to a record peer closes, this node dials it again
 * after a short pause: an idle connection that the connection manager (here
 * or there) pruned comes back, and the peer stays; a peer whose dial fails
 * has departed and leaves the view, which starts re-replication of what it
 * held. Dials run a few at a time, so a mass departure is no dial storm.
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
}

export class DepartureWatch {
  private readonly components: DepartureWatchComponents
  private readonly pause: number
  private readonly dialTimeout: number
  private readonly log: Logger
  private readonly queue: PQueue
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
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
    this.log = components.logger.forComponent('product-dht:departures')
  }

  start (): void {
    this.controller = new AbortController()
    setMaxListeners(Infinity, this.controller.signal)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.controller.abort()
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
}
