/**
 * A simulated network of record peers running the project's own code (see
 * nodes.ts): a real ReplicaQuery per operation, whose client hands each
 * request to the addressee's handlers one hop later. No sockets, no streams,
 * no connection limits.
 *
 * Views change only the way the running code changes them: identify on a
 * connection (here: the addressee of a request learns the requester, and a
 * joining node's self-lookup introduces it to its closest peers), hints in
 * replies, failures. Churn and a routing-table refresh change who is in the
 * network and what routing tables hold (routing-model.ts).
 */
import { keyPosition } from '../src/model/keys.js'
import { PublisherPolicy } from '../src/model/publishers.js'
import { ReplicaQuery } from '../src/replication/query.js'
import { RecordCheck } from '../src/replication/record-check.js'
import { HopClock } from './clock.js'
import { Keyspace } from './keyspace.js'
import { KnownPeers } from './known-peers.js'
import { SimNodes } from './nodes.js'
import { PeerTable } from './peers.js'
import { Random } from './random.js'
import { joinedView, refreshAdditions } from './routing-model.js'
import { silentLogger } from './silent-logger.js'
import type { LiveNode } from './nodes.js'
import type { Request, Response } from '../src/model/messages.js'

export type { LiveNode }

export type ViewModel = 'kademlia' | 'full'

export interface NetworkInit {
  peers: number
  /** what a node knows after joining: a Kademlia routing table, or every peer */
  viewModel: ViewModel
  /** k: peers per routing-table bucket */
  bucketSize: number
  /** r */
  replicationFactor: number
  /** rounds a query may take to follow hints (undefined: the code's default) */
  maxRounds?: number
  /** views alive at once, at most */
  liveViews: number
  seed: number
}

/** Requests of the operation being measured. */
export interface Traffic {
  /** requests put on the (simulated) wire */
  sent: number
  /** of those, to peers that have left */
  failed: number
  /** requests a node answered itself, as one of its own replicas */
  local: number
  /** who was sent a request */
  addressees: Set<number>
}

export function newTraffic (): Traffic {
  return { sent: 0, failed: 0, local: 0, addressees: new Set() }
}

export class SimNetwork {
  readonly peers: PeerTable
  readonly known = new KnownPeers()
  readonly clock = new HopClock()
  readonly random: Random
  readonly init: NetworkInit
  /** the peers in the network now, sorted by position */
  keyspace: Keyspace
  /** requests of the operation being measured */
  traffic = newTraffic()
  /** DHT lookups the code fell back to (a view with fewer than r peers): not modelled, counted */
  fallbackLookups = 0
  readonly nodes: SimNodes
  /** what every simulated reader checks records with (an open catalog) */
  readonly recordCheck = new RecordCheck(new PublisherPolicy(), silentLogger.forComponent('sim'))

  constructor (init: NetworkInit) {
    this.init = init
    this.random = new Random(init.seed)
    this.peers = new PeerTable(this.random)
    this.nodes = new SimNodes(this.peers, this.known, init)
    for (let i = 0; i < init.peers; i++) this.peers.create()
    this.keyspace = new Keyspace(this.peers, this.peers.living())
    for (let n = 0; n < init.peers; n++) this.known.set(n, this.viewAfterJoin(n))
  }

  /** The true replica set of `key`: the r peers in the network closest to it. */
  trueReplicas (key: Uint8Array): number[] {
    return this.keyspace.closest(keyPosition(key), this.init.replicationFactor)
  }

  /** A random peer in the network, other than `not`. */
  randomPeer (not?: number): number {
    for (;;) {
      const n = this.keyspace.order[this.random.int(this.keyspace.size)]
      if (n !== not) return n
    }
  }

  /** Node `n`, its view loaded; kept loaded while `use` runs. */
  async withNode <T> (n: number, use: (node: LiveNode) => Promise<T>): Promise<T> {
    return this.nodes.withNode(n, use)
  }

  /** A ReplicaQuery as node `n`'s service builds it, over the simulated wire. */
  queryOf (node: LiveNode): ReplicaQuery {
    const from = node.number
    return new ReplicaQuery({
      peerId: this.peers.ids[from],
      view: node.view,
      client: { send: async (peer, request) => this.send(from, this.peers.numberOf(peer), request) },
      local: {
        handle: async (request, requester, options) => {
          this.traffic.local++
          return node.handlers.handle(request, requester, options)
        }
      },
      findCandidates: async () => {
        this.fallbackLookups++
        return []
      },
      check: this.recordCheck,
      logger: silentLogger
    }, { replicationFactor: this.init.replicationFactor, maxRounds: this.init.maxRounds })
  }

  /**
   * `fraction` of the peers leave (they answer nothing from now on; nobody
   * is told) and as many new ones join: each builds its view as any joining
   * node does, and its self-lookup introduces it to its k closest peers.
   */
  churn (fraction: number): { left: number[], joined: number[] } {
    const living = this.peers.living()
    const count = Math.round(fraction * living.length)
    const left = this.random.sample(living.length, count).map(i => living[i])
    for (const n of left) {
      this.peers.leave(n)
      this.nodes.drop(n)
    }
    const joined = Array.from({ length: count }, () => this.peers.create())
    this.keyspace = new Keyspace(this.peers, this.peers.living())
    for (const n of joined) {
      const view = this.viewAfterJoin(n)
      this.known.set(n, view)
      for (const peer of this.keyspace.closest(this.peers.positions[n], this.init.bucketSize + 1)) {
        if (peer !== n) this.nodes.identify(peer, n)
      }
    }
    return { left, joined }
  }

  /** Every node refreshes its routing table; the peers that brings it in contact with are identified. */
  refreshRoutingTables (): number {
    let learned = 0
    for (const n of this.keyspace.order) {
      const additions = refreshAdditions(n, peer => this.known.has(n, peer), this.known.members(n), this.peers, this.keyspace, this.init.bucketSize, this.random)
      for (const peer of additions) this.nodes.identify(n, peer)
      learned += additions.length
    }
    return learned
  }

  /** Mean number of record peers the nodes in the network know (departed ones included: the view keeps them until they fail). */
  meanViewSize (): number {
    let total = 0
    for (const n of this.keyspace.order) total += this.known.size(n)
    return total / this.keyspace.size
  }

  private viewAfterJoin (n: number): Iterable<number> {
    if (this.init.viewModel === 'full') return this.keyspace.order.filter(peer => peer !== n)
    return joinedView(n, this.peers, this.keyspace, this.init.bucketSize, this.random)
  }

  /** One request from `from` to `to`: one hop, then `to`'s handlers answer (or it has left). */
  private async send (from: number, to: number, request: Request): Promise<Response> {
    this.traffic.sent++
    this.traffic.addressees.add(to)
    return this.clock.afterHop(async () => {
      if (!this.peers.isAlive(to)) {
        this.traffic.failed++
        throw new Error(`peer ${to} has left the network`)
      }
      // the connection is identified before the request is read
      this.nodes.identify(to, from)
      return this.withNode(to, async node => node.handlers.handle(request, this.peers.ids[from]))
    })
  }
}
