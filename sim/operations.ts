/**
 * One put and one get as a node runs them, measured: the put is the
 * writer's request round (ReplicaQuery.ask with a PUT of a record signed
 * beforehand, as Writer.send asks), the get is Reader.read with its read
 * repair. Each returns the hops it took, the requests it sent, and which
 * replica set the node computed before and after.
 */
import { QuorumError } from '../src/errors.js'
import { Response } from '../src/model/messages.js'
import { storeRequest } from '../src/protocol/requests.js'
import { compareRecords } from '../src/model/record.js'
import { KnownVersions } from '../src/replication/known-versions.js'
import { ReadRepair } from '../src/replication/read-repair.js'
import { Reader } from '../src/replication/reader.js'
import { newTraffic } from './network.js'
import type { SimNetwork, Traffic } from './network.js'
import type { KeyBytes } from '../src/model/keys.js'
import type { WireRecord } from '../src/model/record.js'
import type { ReplicaQuery } from '../src/replication/query.js'

export interface Measured {
  /** sequential round trips until the operation returned */
  hops: number
  traffic: Traffic
  /** the replica set the node computed from its view before it sent anything */
  replicasBefore: number[]
  /** the same, once the operation (hints, failures) had taught the view */
  replicasAfter: number[]
  /** replicas the node ranks among the first r afterwards but never asked: the query stopped short */
  unasked: number
}

export interface PutOutcome extends Measured {
  /** peers that stored the record (acknowledged it) */
  stored: number[]
}

export interface GetOutcome extends Measured {
  /** the newest record read was the one expected */
  found: boolean
  /** fewer than R replicas answered (QuorumError) */
  unreached: boolean
}

export async function simulatePut (net: SimNetwork, writer: number, record: WireRecord): Promise<PutOutcome> {
  const request = storeRequest(record)
  return measured(net, writer, record.key, async query => {
    const round = await query.ask(request, net.init.replicationFactor).done
    const stored = round.answers.filter(a => a.response.status === Response.Status.OK).map(a => net.peers.numberOf(a.peer))
    return { stored }
  })
}

export async function simulateGet (net: SimNetwork, reader: number, key: KeyBytes, expected: WireRecord | undefined, readQuorum: number): Promise<GetOutcome> {
  return measured(net, reader, key, async query => {
    const repair = new ReadRepair(query)
    repair.start()
    // no latency is modelled, so no replica is slow: a read asks R, never hedges
    const read = new Reader({ query, check: net.recordCheck, repair, versions: new KnownVersions() }, { readQuorum, replicationFactor: net.init.replicationFactor, readHedgeDelay: Number.POSITIVE_INFINITY })
    try {
      const { newest } = await read.read(key)
      const found = expected === undefined ? newest === undefined : newest !== undefined && compareRecords(newest, expected) === 0
      return { found, unreached: false }
    } catch (err) {
      if (err instanceof QuorumError) return { found: false, unreached: true }
      throw err
    }
  })
}

/** Runs `operation` as node `n` on a fresh traffic count and measures it. */
async function measured <T> (net: SimNetwork, n: number, key: KeyBytes, operation: (query: ReplicaQuery) => Promise<T>): Promise<T & Measured> {
  return net.withNode(n, async node => {
    const query = net.queryOf(node)
    const replicasBefore = replicaSet(net, query, key)
    net.traffic = newTraffic()
    const { value, startedAt, settledAt } = await net.clock.measure(async () => operation(query))
    const traffic = net.traffic
    const replicasAfter = replicaSet(net, query, key)
    const unasked = replicasAfter.filter(peer => peer !== node.number && !traffic.addressees.has(peer)).length
    return { ...value, hops: settledAt - startedAt, traffic, replicasBefore, replicasAfter, unasked }
  })
}

function replicaSet (net: SimNetwork, query: ReplicaQuery, key: Uint8Array): number[] {
  return query.replicaSet(key).map(peer => net.peers.numberOf(peer))
}
