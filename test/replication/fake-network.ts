/**
 * The replication layer over a network that lives in memory: every replica
 * is a real record store behind the real request handlers, and the "client"
 * hands each request straight to the handlers of the peer it is for. No
 * sockets, so the rules about r, W and R can be tested one at a time, with
 * replicas made to fail, lag or hold what a test needs.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { TypedEventEmitter } from 'main-event'
import { PublisherPolicy } from '../../src/model/publishers.js'
import { RequestHandlers } from '../../src/protocol/handlers/index.js'
import { KnownVersions } from '../../src/replication/known-versions.js'
import { RecordPeerView } from '../../src/replication/peer-view.js'
import { ReplicaQuery } from '../../src/replication/query.js'
import { ReadRepair } from '../../src/replication/read-repair.js'
import { Reader } from '../../src/replication/reader.js'
import { RecordCheck } from '../../src/replication/record-check.js'
import { Writer } from '../../src/replication/writer.js'
import { RecordStore } from '../../src/store/record-store.js'
import type { Request, Response } from '../../src/model/messages.js'
import type { ReadFanout } from '../../src/types.js'
import type { Libp2pEvents, PeerId, PeerStore, PrivateKey } from '@libp2p/interface'

const logger = defaultLogger()

/** One replica in memory. */
export interface FakeReplica {
  id: PeerId
  store: RecordStore
  handlers: RequestHandlers
  /** requests it received */
  requests: Request[]
}

/** A peer store that knows nothing and keeps what it is told: enough for the view. */
function emptyPeerStore (): PeerStore {
  const merged = new Map<string, unknown>()
  return {
    all: async () => [],
    get: async () => { throw new Error('not found') },
    merge: async (peer: PeerId, data: unknown) => { merged.set(peer.toString(), data) }
  } as unknown as PeerStore
}

export interface FakeNetworkInit {
  replicas: number
  replicationFactor?: number
  writeQuorum?: number
  readQuorum?: number
  readFanout?: ReadFanout
  readHedgeDelay?: number
}

export class FakeNetwork {
  readonly replicas: FakeReplica[] = []
  /** peers whose requests fail, as if unreachable */
  readonly down = new Set<string>()
  /** peers that answer only after this many ms */
  readonly slow = new Map<string, number>()
  self!: PeerId
  signer!: PrivateKey
  view!: RecordPeerView
  query!: ReplicaQuery
  reader!: Reader
  writer!: Writer
  repair!: ReadRepair
  private readonly init: Required<Omit<FakeNetworkInit, 'readFanout' | 'readHedgeDelay'>> & FakeNetworkInit
  private beforeDelivery?: (replica: FakeReplica, request: Request) => Promise<void>

  constructor (init: FakeNetworkInit) {
    const r = init.replicationFactor ?? 3
    this.init = { replicationFactor: r, writeQuorum: init.writeQuorum ?? 2, readQuorum: init.readQuorum ?? 2, ...init }
  }

  async start (): Promise<this> {
    const policy = new PublisherPolicy()
    for (let i = 0; i < this.init.replicas; i++) {
      const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const store = new RecordStore({ datastore: new MemoryDatastore(), logger })
      const replica: FakeReplica = { id, store, handlers: new RequestHandlers({ store, policy, logger }), requests: [] }
      this.replicas.push(replica)
    }
    this.signer = await generateKeyPair('Ed25519')
    // the node under test holds no replicas itself (a client), so every request is "sent"
    this.self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    this.view = new RecordPeerView({
      peerId: this.self,
      peerStore: emptyPeerStore(),
      events: new TypedEventEmitter<Libp2pEvents>(),
      logger
    }, { protocol: '/test/record/1.0.0', selfIsReplica: false })
    for (const replica of this.replicas) {
      this.view.add(replica.id)
    }
    const check = new RecordCheck(policy, logger.forComponent('test'))
    this.query = new ReplicaQuery({
      peerId: this.self,
      view: this.view,
      client: { send: async (peer, request) => this.deliver(peer, request) },
      findCandidates: async () => [],
      check,
      logger
    }, { replicationFactor: this.init.replicationFactor })
    const versions = new KnownVersions()
    this.repair = new ReadRepair(this.query)
    this.repair.start()
    this.reader = new Reader({ query: this.query, check, repair: this.repair, versions }, this.init)
    this.writer = new Writer({ query: this.query, reader: this.reader, check, versions, policy }, this.init)
    return this
  }

  async stop (): Promise<void> {
    await this.repair.stop()
  }

  /** Runs `fn` with `replicas` unreachable, then makes them reachable again (and no longer ranked last). */
  async withDown <T> (replicas: FakeReplica[], fn: () => Promise<T>): Promise<T> {
    for (const replica of replicas) this.down.add(replica.id.toString())
    try {
      return await fn()
    } finally {
      for (const replica of replicas) {
        this.down.delete(replica.id.toString())
        this.view.markUp(replica.id)
      }
    }
  }

  /** The replica with this peer id. */
  replica (peer: PeerId): FakeReplica {
    return this.replicas.find(r => r.id.equals(peer))!
  }

  /** The replicas in the order the node under test ranks them for `key`. */
  ranked (key: Uint8Array): FakeReplica[] {
    return this.view.rank(key).map(peer => this.replica(peer))
  }

  /** Runs `fn` with `before` awaited ahead of every request a replica handles. */
  async withBeforeDelivery <T> (before: (replica: FakeReplica, request: Request) => Promise<void>, fn: () => Promise<T>): Promise<T> {
    this.beforeDelivery = before
    try {
      return await fn()
    } finally {
      this.beforeDelivery = undefined
    }
  }

  private async deliver (peer: PeerId, request: Request): Promise<Response> {
    const replica = this.replica(peer)
    if (this.down.has(peer.toString())) {
      throw new Error(`${peer.toString()} is unreachable`)
    }
    const lag = this.slow.get(peer.toString())
    if (lag !== undefined) {
      await new Promise(resolve => setTimeout(resolve, lag))
    }
    await this.beforeDelivery?.(replica, request)
    replica.requests.push(request)
    return replica.handlers.handle(request, this.self)
  }
}
