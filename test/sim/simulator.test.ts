/**
 * The simulator's own parts, on 1 000 peers: the keyspace finds the true
 * closest peers, routing tables have the Kademlia shape, the hop clock counts
 * round trips, and the project's query code, run on it, lands every put on
 * the true replica set when views are full and follows hints there when
 * they are partial. Seeded, so each run sees the same network.
 */
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { compareDistance, keyPosition, productKey } from '../../src/model/keys.js'
import { validateProduct } from '../../src/model/product.js'
import { createRecord } from '../../src/model/record.js'
import { signRecord } from '../../src/model/signature.js'
import { HopClock } from '../../sim/clock.js'
import { Keyspace } from '../../sim/keyspace.js'
import { SimNetwork } from '../../sim/network.js'
import { simulateGet, simulatePut } from '../../sim/operations.js'
import { PeerTable } from '../../sim/peers.js'
import { Random } from '../../sim/random.js'
import type { ViewModel } from '../../sim/network.js'
import type { WireRecord } from '../../src/model/record.js'
import type { PrivateKey } from '@libp2p/interface'

const PEERS = 1000
const K = 20
const R = 3

function network (viewModel: ViewModel, liveViews = 3000): SimNetwork {
  return new SimNetwork({ peers: PEERS, viewModel, bucketSize: K, replicationFactor: R, liveViews, seed: 1 })
}

async function signedRecord (id: string, signer: PrivateKey): Promise<WireRecord> {
  const product = validateProduct({ id, name: id, price: '1.00', currency: 'EUR' })
  return signRecord(createRecord(productKey(id), product, 1n, Date.now()), signer)
}

/** The publisher of every record the tests put: signed once each, as the simulator does. */
const signer = await generateKeyPair('Ed25519')

const sorted = (peers: Iterable<number>): number[] => [...peers].sort((a, b) => a - b)

describe('simulator: keyspace and routing tables (1 000 peers)', () => {
  it('finds the same closest peers as a sort of every peer by XOR distance, before and after peers leave', () => {
    const peers = new PeerTable(new Random(3))
    for (let i = 0; i < PEERS; i++) peers.create()
    const check = (): void => {
      const living = peers.living()
      const keyspace = new Keyspace(peers, living)
      for (let i = 0; i < 50; i++) {
        const target = keyPosition(productKey(`closest-${i}`))
        const bruteForce = [...living].sort((a, b) => compareDistance(target, peers.positions[a], peers.positions[b])).slice(0, K)
        assert.deepEqual(keyspace.closest(target, K), bruteForce)
      }
    }
    check()
    for (let n = 0; n < PEERS; n += 7) peers.leave(n)
    check()
  })

  it('gives each node min(k, population) peers of every bucket, at that bucket\'s distance, and its k closest', () => {
    const net = network('kademlia')
    for (let node = 0; node < 50; node++) {
      const prefix = net.peers.prefixes[node]
      const known = [...net.known.members(node)]
      assert.ok(!known.includes(node), 'a node knows itself')
      const closest = net.keyspace.closest(net.peers.positions[node], K + 1).filter(peer => peer !== node)
      for (const peer of closest) assert.ok(known.includes(peer), `node ${node} misses one of its ${K} closest`)
      for (let depth = 0; depth < 32; depth++) {
        const run = net.keyspace.bucket(prefix, depth)
        const atDepth = (peer: number): boolean => Math.clz32(prefix ^ net.peers.prefixes[peer]) === depth
        const inBucket = known.filter(atDepth)
        // the bucket's sample, plus those of the k closest that fell outside it
        assert.ok(inBucket.length >= Math.min(K, run.to - run.from), `bucket ${depth} of node ${node} is short`)
        assert.ok(inBucket.length <= Math.min(K, run.to - run.from) + closest.filter(atDepth).length, `bucket ${depth} of node ${node} is over-full`)
        for (const peer of inBucket) {
          const at = net.keyspace.order.indexOf(peer)
          assert.ok(at >= run.from && at < run.to, `a peer at depth ${depth} lies outside bucket ${depth}'s run`)
        }
      }
    }
  })
})

describe('simulator: the hop clock', () => {
  it('counts parallel requests as one hop and a chain of requests as one hop each', async () => {
    const clock = new HopClock()
    const answer = async (): Promise<number> => clock.afterHop(async () => clock.now)
    const parallel = await clock.measure(async () => Promise.all([answer(), answer(), answer()]))
    assert.equal(parallel.settledAt - parallel.startedAt, 1)
    const chain = await clock.measure(async () => { await answer(); await answer(); return answer() })
    assert.equal(chain.settledAt - chain.startedAt, 3)
  })

  it('refuses an operation that waits on something other than simulated requests', async () => {
    const clock = new HopClock()
    const waiting = new Promise<void>(() => {})
    await assert.rejects(clock.measure(async () => waiting), /outside the simulated network/)
  })
})

describe('simulator: the query code with full views (1 000 peers)', () => {
  let net: SimNetwork
  before(() => { net = network('full') })

  it('puts every record on exactly the true r closest in one hop; every node computes that set; gets find it in one hop', async () => {
    for (let i = 0; i < 20; i++) {
      const record = await signedRecord(`full-${i}`, signer)
      const truth = sorted(net.trueReplicas(record.key))
      const writer = net.randomPeer()
      const reader = net.randomPeer(writer)
      const put = await simulatePut(net, writer, record)
      assert.deepEqual(sorted(put.stored), truth)
      assert.equal(put.hops, 1)
      assert.equal(put.traffic.sent, truth.includes(writer) ? R - 1 : R)
      assert.deepEqual(sorted(put.replicasBefore), truth)
      const get = await simulateGet(net, reader, record.key, record, 2)
      assert.ok(get.found)
      assert.equal(get.hops, 1)
      assert.deepEqual(sorted(get.replicasBefore), truth)
    }
  })
})

describe('simulator: the query code with Kademlia views (1 000 peers)', () => {
  let net: SimNetwork
  before(() => { net = network('kademlia') })

  it('follows hints from a partial view to the true replica set, within the query\'s rounds', async () => {
    let onTrueSet = 0
    const operations = 60
    for (let i = 0; i < operations; i++) {
      const record = await signedRecord(`partial-${i}`, signer)
      const writer = net.randomPeer()
      const put = await simulatePut(net, writer, record)
      const truth = net.trueReplicas(record.key)
      if (truth.every(peer => put.stored.includes(peer))) onTrueSet++
      // three rounds, each a hop unless a failed request is replaced within it (none fail here)
      assert.ok(put.hops >= 1 && put.hops <= 3, `a put took ${put.hops} hops`)
      const get = await simulateGet(net, net.randomPeer(writer), record.key, record, 2)
      assert.ok(get.found, `a get missed product ${i}`)
    }
    // at 1 000 peers a node's buckets reach any key's neighbourhood within two rounds
    assert.ok(onTrueSet >= 0.95 * operations, `${onTrueSet} of ${operations} puts reached the true replica set`)
    assert.equal(net.fallbackLookups, 0)
  })

  it('keeps what a dropped view learned: hinted peers and failures survive loading it again', async () => {
    const node = 5
    const record = await signedRecord('reload', signer)
    const before = new Set(net.known.members(node))
    await simulatePut(net, node, record)
    const learned = [...net.known.members(node)]
    assert.ok(learned.some(peer => !before.has(peer)), 'the put taught the writer no peer (no hint followed)')
    const failing = await net.withNode(node, async live => {
      const first = live.view.rank(record.key)[0]
      live.view.markDown(first)
      return first
    })
    net.nodes.dropAll()
    await net.withNode(node, async live => {
      assert.equal(live.view.size, learned.length)
      for (const peer of learned) assert.ok(live.view.has(net.peers.ids[peer]))
      const ranked = live.view.rank(record.key)
      assert.ok(ranked.at(-1)?.equals(failing), 'a peer that failed is not ranked last after the view was loaded again')
    })
  })

  it('gives the same outcomes whether views stay loaded or are dropped and loaded again between requests', async () => {
    const outcomes = async (liveViews: number): Promise<unknown[]> => {
      const small = network('kademlia', liveViews)
      small.churn(0.1)
      const seen: unknown[] = []
      for (let i = 0; i < 15; i++) {
        const record = await signedRecord(`reload-${i}`, signer)
        const writer = small.randomPeer()
        const put = await simulatePut(small, writer, record)
        const get = await simulateGet(small, small.randomPeer(writer), record.key, record, 2)
        seen.push([put.hops, put.stored, put.traffic.sent, put.replicasAfter, get.hops, get.found, get.traffic.sent, [...get.traffic.addressees]])
      }
      return seen
    }
    assert.deepEqual(await outcomes(4), await outcomes(3000))
  })

  it('after churn: departed peers never store a record, and a view forgets one after three failures', async () => {
    const { left } = net.churn(0.1)
    const departed = new Set(left)
    let failed = 0
    for (let i = 0; i < 40; i++) {
      const record = await signedRecord(`churn-${i}`, signer)
      const put = await simulatePut(net, net.randomPeer(), record)
      assert.ok(put.stored.every(peer => !departed.has(peer)), 'a departed peer acknowledged a put')
      assert.ok(put.stored.length >= 2, `a put reached ${put.stored.length} replicas`)
      failed += put.traffic.failed
    }
    assert.ok(failed > 0, 'no put met a departed peer: churn was not simulated')
    // a node that failed to reach a peer three times has dropped it from its view
    const node = net.keyspace.order.find(n => left.some(peer => net.known.has(n, peer)))
    const gone = left.find(peer => node !== undefined && net.known.has(node, peer))
    assert.ok(node !== undefined && gone !== undefined, 'no node knows a departed peer')
    await net.withNode(node, async live => {
      for (let i = 0; i < 2; i++) live.view.markDown(net.peers.ids[gone])
      assert.ok(live.view.has(net.peers.ids[gone]))
      live.view.markDown(net.peers.ids[gone])
      assert.ok(!live.view.has(net.peers.ids[gone]))
    })
    assert.ok(!net.known.has(node, gone))
  })
})
