/**
 * The code objects of the simulated nodes: a real RecordPeerView (loaded
 * from the node's known peers), real request handlers answering with hints
 * from it, and a real record store. Views cost about 300 bytes a known peer,
 * so only `liveViews` of them stay loaded, the least recently used dropped
 * first; what a view learns is written back to KnownPeers as it happens, so
 * loading it again gives the same view.
 */
import { MemoryDatastore } from 'datastore-core'
import { TypedEventEmitter } from 'main-event'
import { PublisherPolicy } from '../src/model/publishers.js'
import { RECORD_PROTOCOL } from '../src/protocol/constants.js'
import { RequestHandlers } from '../src/protocol/handlers/index.js'
import { RecordStore } from '../src/store/record-store.js'
import { MirroredPeerView } from './mirrored-view.js'
import { knownPeerStore } from './peer-store.js'
import { silentLogger } from './silent-logger.js'
import type { KnownPeers } from './known-peers.js'
import type { PeerTable } from './peers.js'
import type { IdentifyResult, Libp2pEvents } from '@libp2p/interface'

/** A node that is acting or was recently: its view, and its handlers answering with hints from it. */
export interface LiveNode {
  number: number
  view: MirroredPeerView
  handlers: RequestHandlers
  events: TypedEventEmitter<Libp2pEvents>
}

export interface SimNodesInit {
  /** r: how many peers a hint names */
  replicationFactor: number
  /** views loaded at once, at most */
  liveViews: number
}

export class SimNodes {
  private readonly peers: PeerTable
  private readonly known: KnownPeers
  private readonly init: SimNodesInit
  private readonly live = new Map<number, LiveNode>()
  /** nodes in use by an operation: never dropped meanwhile */
  private readonly pinned = new Map<number, number>()
  private readonly stores = new Map<number, RecordStore>()
  /** one open catalog for every node */
  private readonly policy = new PublisherPolicy()

  constructor (peers: PeerTable, known: KnownPeers, init: SimNodesInit) {
    this.peers = peers
    this.known = known
    this.init = init
  }

  /** Node `n`, its view loaded; kept loaded while `use` runs. */
  async withNode <T> (n: number, use: (node: LiveNode) => Promise<T>): Promise<T> {
    this.pinned.set(n, (this.pinned.get(n) ?? 0) + 1)
    try {
      return await use(await this.node(n))
    } finally {
      const count = (this.pinned.get(n) ?? 1) - 1
      if (count === 0) this.pinned.delete(n)
      else this.pinned.set(n, count)
    }
  }

  /** Identify on a connection between `n` and `peer` tells `n` that `peer` speaks the record protocol. */
  identify (n: number, peer: number): void {
    const node = this.live.get(n)
    if (node === undefined) {
      this.known.add(n, peer)
      return
    }
    const detail = { peerId: this.peers.ids[peer], protocols: [RECORD_PROTOCOL], listenAddrs: [] }
    // the view reads only the peer and its protocols of an identify result
    node.events.safeDispatchEvent('peer:identify', { detail: detail as unknown as IdentifyResult })
  }

  /** Node `n`'s record store (made on first use; kept while the simulation runs). */
  storeOf (n: number): RecordStore {
    let store = this.stores.get(n)
    if (store === undefined) {
      store = new RecordStore({ datastore: new MemoryDatastore(), logger: silentLogger })
      this.stores.set(n, store)
    }
    return store
  }

  drop (n: number): void {
    this.live.get(n)?.view.stop()
    this.live.delete(n)
  }

  /** Drops every loaded view (they were written back as they changed). */
  dropAll (): void {
    for (const n of [...this.live.keys()]) this.drop(n)
  }

  private async node (n: number): Promise<LiveNode> {
    const loaded = this.live.get(n)
    if (loaded !== undefined) {
      // most recently used last
      this.live.delete(n)
      this.live.set(n, loaded)
      return loaded
    }
    const node = await this.load(n)
    this.live.set(n, node)
    this.dropBeyondCapacity()
    return node
  }

  private async load (n: number): Promise<LiveNode> {
    const { peers, known } = this
    const peerId = peers.ids[n]
    const events = new TypedEventEmitter<Libp2pEvents>()
    const peerStore = knownPeerStore(function * () { for (const peer of known.members(n)) yield peers.ids[peer] }, RECORD_PROTOCOL)
    const view = new MirroredPeerView({ peerId, peerStore, events, logger: silentLogger }, {
      protocol: RECORD_PROTOCOL,
      selfIsReplica: true,
      // a simulated run is shorter than any down penalty: a failed peer stays ranked last
      downPenalty: Infinity
    }, {
      added: peer => { known.add(n, peers.numberOf(peer)) },
      removed: peer => { known.remove(n, peers.numberOf(peer)) },
      failures: (peer, count) => { known.setFailures(n, peers.numberOf(peer), count) }
    })
    await view.start()
    for (const [peer, count] of known.failuresOf(n)) view.restoreFailures(peers.ids[peer], count)
    const r = this.init.replicationFactor
    const handlers = new RequestHandlers({
      store: this.storeOf(n),
      policy: this.policy,
      logger: silentLogger,
      // as the service wires them
      hints: async (key, requester, asked, options) => view.hintsFor(key, r, requester, asked, options)
    })
    return { number: n, view, handlers, events }
  }

  private dropBeyondCapacity (): void {
    for (const n of this.live.keys()) {
      if (this.live.size <= this.init.liveViews) return
      if (!this.pinned.has(n)) this.drop(n)
    }
  }
}
