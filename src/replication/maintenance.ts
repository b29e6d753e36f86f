/**
 * Replica maintenance: every record this node holds ends up on its r
 * closest record peers and stays there, without anyone reading it.
 *
 * A pass walks the records held, computes each one's replica set from the
 * view, and runs an anti-entropy session with every neighbour that shares
 * some of them (anti-entropy/). Records move only where the two sides
 * differ, so a pass where nothing changed costs one SYNC exchange per
 * neighbour. A copy this node holds without being among the r closest any
 * more (a closer peer joined) is handed off: dropped once every member of the
 * replica set confirmed it holds that version or a newer one, and kept while
 * any of them cannot be reached.
 *
 * A pass runs shortly after the view changes (a record peer joined or
 * departed), with jitter so that the nodes that saw one change do not all
 * act in the same instant, and on a periodic sweep that repairs whatever the
 * events missed. Transfers are paced (records per second), so a mass
 * restart or a node returning with many records does not flood anyone.
 */
import { setMaxListeners } from 'node:events'
import PQueue from 'p-queue'
import { keyToString } from '../model/keys.js'
import { Request, Response } from '../model/messages.js'
import { storeRequest } from '../protocol/requests.js'
import { keyId, syncWith } from './anti-entropy/sync-session.js'
import { confirmHeldBack } from './held-back-check.js'
import type { SyncOutcome } from './anti-entropy/sync-session.js'
import type { RecordPeerView } from './peer-view.js'
import type { LocalReplica } from './query.js'
import type { WireRecord } from '../model/record.js'
import type { MaintenanceStats } from '../types.js'
import type { IndexEntry } from '../store/record-index.js'
import type { RecordStore } from '../store/record-store.js'
import type { AbortOptions, ComponentLogger, Logger, PeerId } from '@libp2p/interface'

export interface MaintenanceComponents {
  peerId: PeerId
  view: RecordPeerView
  store: RecordStore
  /** this node's request handlers: what a session pulls is checked by them like any PUT */
  local: LocalReplica
  send(peer: PeerId, request: Request, options?: AbortOptions): Promise<Response>
  logger: ComponentLogger
  /** a copy was dropped because its new holders confirmed theirs */
  onHandedOff?(record: WireRecord): void
  /** a held-back copy was dropped because no peer had the product any more */
  onDroppedStale?(record: WireRecord): void
}

export interface MaintenanceInit {
  replicationFactor: number
  /** answers without a record that drop a held-back copy (the read quorum) */
  readQuorum: number
  /** ms between sweeps, each jittered by ±20 % */
  interval: number
  /** ms after a view change before a pass (plus up to as much again of jitter) */
  settleDelay: number
  /** records moved per second, at most (pushes and pulls) */
  rate: number
  /** neighbours synced at once */
  concurrency?: number
}

/** Maintenance before its first pass (and of a node that holds no replicas). */
export function emptyMaintenanceStats (): MaintenanceStats {
  return { passes: 0, syncs: 0, failedSyncs: 0, syncMessages: 0, syncBytes: 0, pushed: 0, pulled: 0, handedOff: 0, underReplicated: 0, heldBack: 0, droppedStale: 0 }
}

/** Passes run back to back at most when the view keeps changing during them. */
const MAX_PASSES_IN_A_ROW = 3

export class Maintenance {
  private readonly components: MaintenanceComponents
  private readonly init: MaintenanceInit
  private readonly log: Logger
  private readonly transfers: PQueue
  private controller = new AbortController()
  private sweepTimer?: ReturnType<typeof setTimeout>
  private soonTimer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>
  private again = false
  /** the view's epoch the replica-set cache was built for */
  private cachedEpoch = -1
  private readonly replicaSets = new Map<string, PeerId[]>()
  /** when the last completed pass started: a view change before it is settled */
  private settledAt = 0
  readonly stats: MaintenanceStats = emptyMaintenanceStats()

  constructor (components: MaintenanceComponents, init: MaintenanceInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('product-dht:maintenance')
    this.transfers = new PQueue({ concurrency: 8, intervalCap: Math.max(1, init.rate), interval: 1_000 })
  }

  start (): void {
    this.controller = new AbortController()
    setMaxListeners(Infinity, this.controller.signal)
    this.scheduleSweep()
  }

  async stop (): Promise<void> {
    this.controller.abort()
    clearTimeout(this.sweepTimer)
    clearTimeout(this.soonTimer)
    this.sweepTimer = undefined
    this.soonTimer = undefined
    this.transfers.clear()
    await this.running
  }

  /** The view changed: run a pass once it has settled a moment (debounced, jittered). */
  viewChanged (): void {
    if (this.soonTimer !== undefined || this.controller.signal.aborted) {
      return
    }
    const delay = this.init.settleDelay * (1 + Math.random())
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined
      void this.run()
    }, delay)
    this.soonTimer.unref()
  }

  /**
   * True while the view changed after the start of the last completed pass:
   * records may not have reached their new replicas yet, so a read that
   * found nothing should ask further out before it says "not found".
   */
  unsettled (): boolean {
    return this.components.view.lastChange >= this.settledAt
  }

  /** The replica set of `key` as this node sees it now (cached until the view changes). */
  replicaSet (key: Uint8Array): PeerId[] {
    const { view } = this.components
    if (this.cachedEpoch !== view.epoch) {
      this.replicaSets.clear()
      this.cachedEpoch = view.epoch
    }
    const id = keyId(key)
    let set = this.replicaSets.get(id)
    if (set === undefined) {
      set = view.closest(key, this.init.replicationFactor)
      this.replicaSets.set(id, set)
    }
    return set
  }

  /** Whether this node ranks `peer` among the replicas of `key` (what a SYNC from `peer` may compare). */
  shares (peer: PeerId, key: Uint8Array): boolean {
    return this.replicaSet(key).some(p => p.equals(peer))
  }

  /** Runs a pass now, or after the one under way (then once more, for the changes it missed); never rejects. */
  async run (): Promise<void> {
    if (this.running !== undefined) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      for (let i = 0; i < MAX_PASSES_IN_A_ROW && !this.controller.signal.aborted; i++) {
        this.again = false
        await this.pass(this.controller.signal)
        if (!this.again) break
      }
    })().catch(err => {
      if (!this.controller.signal.aborted) this.log.error('maintenance pass failed - %e', err)
    }).finally(() => { this.running = undefined })
    return this.running
  }

  private scheduleSweep (): void {
    const delay = this.init.interval * (0.8 + 0.4 * Math.random())
    this.sweepTimer = setTimeout(() => {
      void this.run().finally(() => {
        if (!this.controller.signal.aborted) this.scheduleSweep()
      })
    }, delay)
    this.sweepTimer.unref()
  }

  private async pass (signal: AbortSignal): Promise<void> {
    const started = Date.now()
    const { peerId, store } = this.components
    if (store.heldBackCount > 0) {
      await this.confirmHeldBack(signal)
      if (signal.aborted) return
    }
    const entries = store.index.all()
    const neighbours = new Map<string, PeerId>()
    for (const entry of entries) {
      for (const peer of this.replicaSet(entry.key)) {
        if (!peer.equals(peerId)) neighbours.set(peer.toString(), peer)
      }
    }
    // who confirmed holding what, for hand-offs and the under-replicated count
    const confirmedBy = new Map<string, Set<string>>()
    const queue = [...neighbours.values()]
    const worker = async (): Promise<void> => {
      for (let peer = queue.shift(); peer !== undefined && !signal.aborted; peer = queue.shift()) {
        const outcome = await this.syncWith(peer, entries, signal)
        if (outcome !== undefined) confirmedBy.set(peer.toString(), outcome.confirmed)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.init.concurrency ?? 2, queue.length) }, worker))
    if (signal.aborted) return

    let underReplicated = 0
    for (const entry of entries) {
      const set = this.replicaSet(entry.key)
      const id = keyId(entry.key)
      const holders = set.filter(p => p.equals(peerId) || confirmedBy.get(p.toString())?.has(id) === true)
      if (holders.length < this.init.replicationFactor) {
        underReplicated++
      }
      if (!set.some(p => p.equals(peerId)) && set.length >= this.init.replicationFactor && holders.length === set.length) {
        await this.handOff(entry, { signal })
      }
    }
    this.stats.passes++
    this.stats.underReplicated = underReplicated
    this.stats.lastPassAt = Date.now()
    this.stats.lastPassMs = this.stats.lastPassAt - started
    this.settledAt = started
    this.log('pass over %d records with %d neighbours took %d ms; %d under-replicated', entries.length, neighbours.size, this.stats.lastPassMs, underReplicated)
  }

  /** Asks the network about the records held back after a long absence (see held-back-check.ts). */
  private async confirmHeldBack (signal: AbortSignal): Promise<void> {
    const { peerId, view, store, local, send } = this.components
    const r = this.init.replicationFactor
    const outcome = await confirmHeldBack({
      store,
      local,
      send,
      holdersOf: key => view.closest(key, r + 1).filter(p => !p.equals(peerId)).slice(0, r),
      paced: async (check, options) => this.transfers.add(check, { signal: options?.signal }),
      onDropped: record => {
        this.stats.droppedStale++
        this.components.onDroppedStale?.(record)
      }
    }, this.init.readQuorum, { signal })
    this.stats.heldBack = store.heldBackCount
    this.log('held-back records: %d released, %d dropped, %d still held back', outcome.released, outcome.dropped, outcome.unresolved)
  }

  private async syncWith (peer: PeerId, entries: readonly IndexEntry[], signal: AbortSignal): Promise<SyncOutcome | undefined> {
    const { local, send, store, peerId } = this.components
    try {
      const outcome = await syncWith({
        entries,
        send,
        read: async (key, options) => store.get(key, options),
        offer: async (record, from, options) => {
          const response = await local.handle(storeRequest(record), from, options)
          return response.status === Response.Status.OK
        },
        shouldHold: key => this.replicaSet(key).some(p => p.equals(peerId)),
        paced: async (transfer, options) => this.transfers.add(transfer, { signal: options?.signal })
      }, peer, key => this.shares(peer, key), { signal })
      this.stats.syncs++
      this.stats.syncMessages += outcome.syncMessages
      this.stats.syncBytes += outcome.syncBytes
      this.stats.pushed += outcome.pushed
      this.stats.pulled += outcome.pulled
      if (outcome.pushed + outcome.pulled > 0) {
        this.log('sync with %p moved %d out and %d in', peer, outcome.pushed, outcome.pulled)
      }
      return outcome
    } catch (err) {
      if (!signal.aborted) {
        this.stats.failedSyncs++
        // as a failed request does: ranked after reachable peers (a stand-in
        // takes its place), and departed after a few failures in a row
        this.components.view.markDown(peer)
        this.log('sync with %p failed - %s', peer, (err as Error).message)
      }
      return undefined
    }
  }

  private async handOff (entry: IndexEntry, options: AbortOptions): Promise<void> {
    const dropped = await this.components.store.drop(entry.key, entry.digest, options)
    if (dropped !== undefined) {
      this.stats.handedOff++
      this.log('handed off %s version %d', keyToString(entry.key), entry.version)
      this.components.onHandedOff?.(dropped)
    }
  }
}
