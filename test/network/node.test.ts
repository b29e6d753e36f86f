/**
 * One node and small networks: a lone node, restart with a data directory,
 * client mode, options and input checks.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProductNode, InvalidParametersError, InvalidProductError, NotStartedError, QuorumError } from '../../src/index.js'
import { expectedReplicas, startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'

describe('a lone node with r = W = R = 1', () => {
  let node: ProductNode
  after(async () => { await node?.stop() })

  it('puts, gets, updates and deletes on itself', async () => {
    node = await createProductNode({ replicationFactor: 1, writeQuorum: 1, readQuorum: 1 })
    const put = await node.putProduct({ id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR' })
    assert.deepEqual(put.replicas.map(String), [node.peerId.toString()])
    assert.deepEqual(await node.getProduct('P001'), { id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR' })
    assert.equal((await node.putProduct({ id: 'P001', name: 'Widget', price: 100, currency: 'EUR' })).version, 2)
    assert.equal((await node.getProduct('P001'))?.price, '100.00')
    await node.deleteProduct('P001')
    assert.equal(await node.getProduct('P001'), undefined)
    assert.equal(await node.getProduct('P404'), undefined)
  })

  it('rejects a bad product before anything is stored', async () => {
    await assert.rejects(node.putProduct({ id: 'P 2', name: '', price: 1.234, currency: 'EUR' }), (err: unknown) => {
      assert.ok(err instanceof InvalidProductError)
      assert.deepEqual(err.issues.map(i => i.field).sort(), ['id', 'name', 'price'])
      return true
    })
    await assert.rejects(node.getProduct('bad id!'), InvalidProductError)
    const held = []
    for await (const product of node.localProducts()) held.push(product)
    assert.deepEqual(held, [])
  })

  it('refuses calls once stopped', async () => {
    await node.stop()
    await assert.rejects(node.getProduct('P001'), NotStartedError)
  })
})

describe('options', () => {
  it('refuses quorums larger than the replication factor, and other bad values', async () => {
    await assert.rejects(createProductNode({ replicationFactor: 2, writeQuorum: 3 }), InvalidParametersError)
    await assert.rejects(createProductNode({ readQuorum: 0 }), InvalidParametersError)
    await assert.rejects(createProductNode({ replicationFactor: 1.5 }), InvalidParametersError)
    await assert.rejects(createProductNode({ dhtProtocol: 'kad' }), InvalidParametersError)
    await assert.rejects(createProductNode({ catalog: '' }), InvalidParametersError)
    await assert.rejects(createProductNode({ discoveryInterval: 0 }), InvalidParametersError)
    await assert.rejects(createProductNode({ addressFilter: 'lan' as 'all' }), InvalidParametersError)
    await assert.rejects(createProductNode({ maxInboundStreamsPerPeer: 0 }), /maxInboundStreamsPerPeer/)
    await assert.rejects(createProductNode({ maxRequestsPerPeerPerSecond: -5 }), /maxRequestsPerPeerPerSecond/)
    await assert.rejects(createProductNode({ pingInterval: 0 }), /pingInterval/)
    await assert.rejects(createProductNode({ readFanout: 'some' as 'all' }), /readFanout must be 'quorum' or 'all'/)
    await assert.rejects(createProductNode({ readHedgeDelay: 0 }), /readHedgeDelay/)
    // past setTimeout's range a timer fires at once: refused, not read as "at once"
    await assert.rejects(createProductNode({ readHedgeDelay: 2 ** 31 }), /readHedgeDelay/)
  })

  it('pings its connections every pingInterval ms', async () => {
    const quiet = await createProductNode()
    const eager = await createProductNode({ pingInterval: 200, bootstrap: quiet.getMultiaddrs().map(String) })
    try {
      // the connection monitor sets a connection's rtt when its ping comes back
      const rtt = (node: ProductNode): Array<number | undefined> => node.libp2p.getConnections(quiet.peerId).map(c => c.rtt)
      const deadline = Date.now() + 5000
      while (rtt(eager).every(r => r === undefined) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
      assert.ok(rtt(eager).some(r => typeof r === 'number'), 'a node with pingInterval 200 pinged its connection')
    } finally {
      await stopAll([eager, quiet])
    }
  })
})

describe('a node restarted with its data directory', () => {
  const dirs: string[] = []
  const running: ProductNode[] = []
  after(async () => {
    await stopAll(running)
    await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
  })

  it('keeps its peer id and its records, and rejoins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'product-dht-node-'))
    dirs.push(dir)
    const seed = await createProductNode({ replicationFactor: 2, writeQuorum: 2, readQuorum: 1 })
    running.push(seed)
    const bootstrap = seed.getMultiaddrs().map(String)
    let node = await createProductNode({ dataDir: dir, bootstrap, replicationFactor: 2, writeQuorum: 2, readQuorum: 1 })
    const peerId = node.peerId.toString()
    await node.putProduct({ id: 'P-PERSIST', name: 'Kept', price: '1.00', currency: 'EUR' })
    await node.stop()

    node = await createProductNode({ dataDir: dir, bootstrap, replicationFactor: 2, writeQuorum: 2, readQuorum: 1 })
    running.push(node)
    assert.equal(node.peerId.toString(), peerId)
    const held = []
    for await (const product of node.localProducts()) held.push(product.id)
    assert.deepEqual(held, ['P-PERSIST'])
    assert.equal((await seed.getProduct('P-PERSIST'))?.name, 'Kept')
    // an update from the restarted node builds on the version it kept
    assert.equal((await node.putProduct({ id: 'P-PERSIST', name: 'Kept 2', price: '2.00', currency: 'EUR' })).version, 2)
  })
})

describe('20 peers joining one bootstrap peer at once', () => {
  let nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('are all accepted, and each can put and get', async () => {
    const bootstrapNode = await createProductNode()
    nodes.push(bootstrapNode)
    const bootstrap = bootstrapNode.getMultiaddrs().map(String)
    const joined = await Promise.allSettled(Array.from({ length: 20 }, async () => createProductNode({ bootstrap })))
    for (const result of joined) {
      if (result.status === 'fulfilled') nodes.push(result.value)
    }
    assert.deepEqual(joined.filter(r => r.status === 'rejected'), [])
    // ready: each knows a record peer (its bootstrap peer), and puts and gets work at once
    for (const node of nodes.slice(1)) {
      assert.ok(node.knownPeers >= 1, `${node.peerId} knows ${node.knownPeers} record peers`)
    }
    await nodes[20].putProduct({ id: 'P-CROWD', name: 'Crowd', price: '1.00', currency: 'EUR' })
    assert.equal((await nodes[3].getProduct('P-CROWD'))?.name, 'Crowd')
    // nodes that joined at the same moment see each other's writes before their lookups ran
    for (const writer of [19, 18]) {
      const id = `P-CROWD-${writer}`
      await nodes[writer].putProduct({ id, name: id, price: '1.00', currency: 'EUR' })
      for (const reader of [1, 2, 5, 8, 13]) {
        assert.equal((await nodes[reader].getProduct(id))?.name, id, `node ${reader} reads what node ${writer} wrote`)
      }
    }
    // settled: each node's own lookup went round, and every view holds a replica set and more
    await Promise.all(nodes.map(async node => node.settled({ signal: AbortSignal.timeout(60_000) })))
    for (const node of nodes) {
      assert.ok(node.knownPeers >= 3, `${node.peerId} knows ${node.knownPeers} record peers once settled`)
    }
  })
})

describe('a client-mode node', () => {
  let nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('reads and writes through the network but holds no replicas', async () => {
    nodes = await startNetwork(4)
    const client = await createProductNode({ clientMode: true, bootstrap: nodes[0].getMultiaddrs().map(String) })
    nodes.push(client)
    const put = await client.putProduct({ id: 'P-CLIENT', name: 'From a client', price: '1.00', currency: 'CHF' })
    // the 3 closest servers hold it; a client that learned of a closer server only from a
    // replica's hint during the put also leaves a copy on the one it asked first
    const closest = expectedReplicas('P-CLIENT', nodes.slice(0, 4).map(n => n.peerId), 3)
    assert.deepEqual(closest.filter(p => put.replicas.map(String).includes(p)), closest, JSON.stringify(put))
    assert.ok(put.replicas.map(String).length <= 4)
    assert.ok(!put.replicas.map(String).includes(client.peerId.toString()))
    assert.equal((await nodes[2].getProduct('P-CLIENT'))?.name, 'From a client')
    assert.equal((await client.getProduct('P-CLIENT'))?.currency, 'CHF')
    const held = []
    for await (const product of client.localProducts()) held.push(product)
    assert.deepEqual(held, [])
    // the server nodes never take the client for a replica
    for (const node of nodes.slice(0, 4)) {
      assert.ok(!node.replicasOf('P-CLIENT').some(p => p.equals(client.peerId)))
    }
  })

  it('with too few servers for its quorum, rejects with QuorumError', async () => {
    const lonely = await createProductNode({ clientMode: true })
    nodes.push(lonely)
    await assert.rejects(lonely.putProduct({ id: 'P-X', name: 'X', price: '1.00', currency: 'EUR' }), QuorumError)
    await assert.rejects(lonely.getProduct('P-X'), QuorumError)
  })
})
