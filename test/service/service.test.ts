/**
 * productStore() inside libp2p nodes built by hand (their own transports,
 * WebSockets next to TCP, their own datastore), in one network with
 * createProductNode nodes; the service's events and progress events; and
 * the life cycle of a node: created stopped, started, stopped, started again.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { Key } from 'interface-datastore'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p } from 'libp2p'
import { WebSocket } from 'ws'
import { createProductNode, DEFAULT_DHT_PROTOCOL, NotStartedError, productStore } from '../../src/index.js'
import { stopAll } from '../helpers/network.js'
import type { OperationFinishedEvent, ProductNode, ProductStore, ReplicaStoredEvent } from '../../src/index.js'
import type { Libp2p } from '@libp2p/interface'

// @libp2p/websockets dials with the global WebSocket, which Node 20 lacks (Node 22 has it)
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket

type HandBuilt = Libp2p<{ products: ProductStore }>

/** A libp2p node as a user would build it, with the product store among its services. */
async function handBuilt (datastore = new MemoryDatastore()): Promise<HandBuilt> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    datastore,
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DEFAULT_DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }),
      products: productStore({ catalog: 'service-test' })
    }
  })
}

describe('the service in libp2p nodes built by hand', () => {
  const products: ProductNode[] = []
  const own: HandBuilt[] = []
  let ownDatastore: MemoryDatastore
  before(async () => {
    products.push(await createProductNode({ catalog: 'service-test' }))
    const bootstrap = products[0].getMultiaddrs().map(String)
    products.push(await createProductNode({ catalog: 'service-test', bootstrap }), await createProductNode({ catalog: 'service-test', bootstrap }))
    ownDatastore = new MemoryDatastore()
    own.push(await handBuilt(ownDatastore), await handBuilt())
    // the second joins the first over WebSockets and looks for record peers
    // while the first knows nobody else: it finds none now, and must find
    // them by looking again once the first has joined the createProductNode
    // nodes over TCP
    const ws = own[0].getMultiaddrs().find(a => a.toString().includes('/ws'))
    assert.ok(ws !== undefined, 'the hand-built node listens on WebSockets')
    await own[1].dial(ws)
    assert.match(own[1].getConnections(own[0].peerId)[0].remoteAddr.toString(), /\/ws/)
    await own[1].services.products.discoverPeers({ signal: AbortSignal.timeout(10_000) })
    assert.equal(own[1].services.products.knownPeers, 1)
    await own[0].dial(multiaddr(bootstrap[0]))
    await own[0].services.products.discoverPeers({ signal: AbortSignal.timeout(10_000) })
  })
  after(async () => {
    await Promise.all(own.map(async node => node.stop()))
    await stopAll(products)
  })

  it('puts from a hand-built node and gets from createProductNode nodes, and the other way round', async () => {
    const signal = AbortSignal.timeout(10_000)
    const viaWs = own[1].services.products
    // the four other record peers: the hand-built node it joined, and the three it found by looking again
    await waitUntil(() => viaWs.knownPeers === 4, 'the node that joined over WebSockets to learn of the other record peers')
    const put = await viaWs.putProduct({ id: 'SVC-1', name: 'From a hand-built node', price: '5.00', currency: 'EUR' }, { signal })
    assert.equal(put.replicas.length, 3)
    assert.equal((await products[2].getProduct('SVC-1', { signal }))?.name, 'From a hand-built node')

    await products[1].putProduct({ id: 'SVC-2', name: 'From createProductNode', price: '6.00', currency: 'EUR' }, { signal })
    assert.equal((await own[0].services.products.getProduct('SVC-2', { signal }))?.name, 'From createProductNode')
    assert.equal((await viaWs.getProduct('SVC-2', { signal }))?.price, '6.00')
  })

  it('keeps its records in the node\'s own datastore, under a namespace of its own', async () => {
    const signal = AbortSignal.timeout(10_000)
    // make the TCP+WS node one of the replicas by writing to it alone
    for (let i = 0; ; i++) {
      assert.ok(i < 50, 'no product id placed a replica on the hand-built node')
      const id = `SVC-NS-${i}`
      if (!own[0].services.products.replicasOf(id).some(p => p.equals(own[0].peerId))) continue
      await products[0].putProduct({ id, name: 'Namespaced', price: '1.00', currency: 'EUR' }, { signal })
      break
    }
    const keys: string[] = []
    for await (const key of ownDatastore.queryKeys({ prefix: '/product-dht/records' })) keys.push(key.toString())
    assert.ok(keys.length >= 1, 'no record under /product-dht/records')
    assert.ok(!(await ownDatastore.has(new Key('/records'))))
  })

  it('tells listeners what a replica stored and when a put or get finished, and reports progress', async () => {
    const signal = AbortSignal.timeout(10_000)
    const stored: ReplicaStoredEvent[] = []
    const finished: OperationFinishedEvent[] = []
    const onStored = (event: CustomEvent<ReplicaStoredEvent>): void => { stored.push(event.detail) }
    const onFinished = (event: CustomEvent<OperationFinishedEvent>): void => { finished.push(event.detail) }
    for (const node of products) node.addEventListener('replica:stored', onStored)
    for (const node of own) node.services.products.addEventListener('replica:stored', onStored)
    products[0].addEventListener('operation:finished', onFinished)
    const progress: string[] = []
    const put = await products[0].putProduct({ id: 'SVC-EVENTS', name: 'Watched', price: '2.00', currency: 'EUR' }, { signal, onProgress: event => progress.push(event.type) })
    await products[0].getProduct('SVC-EVENTS', { signal, onProgress: event => progress.push(event.type) })
    await products[0].getProduct('SVC-NONE', { signal })

    assert.deepEqual(stored.filter(e => e.id === 'SVC-EVENTS').map(e => e.from.toString()).sort(), put.replicas.map(() => products[0].peerId.toString()))
    assert.equal(stored.filter(e => e.id === 'SVC-EVENTS').length, put.replicas.length)
    assert.ok(stored.every(e => e.version === 1))
    assert.deepEqual(finished.map(e => [e.operation, e.id, e.version, e.found]), [
      ['put', 'SVC-EVENTS', 1, undefined],
      ['get', 'SVC-EVENTS', 1, true],
      ['get', 'SVC-NONE', undefined, false]
    ])
    assert.ok(finished.every(e => e.duration >= 0 && e.error === undefined))
    assert.equal(progress.filter(t => t === 'product-dht:replica:request').length >= 3 + 2, true, progress.join())
    assert.ok(progress.includes('product-dht:replica:answer'))
    products[0].removeEventListener('operation:finished', onFinished)
  })

  it('reports a failed operation in its event, with the error\'s name', async () => {
    const finished: OperationFinishedEvent[] = []
    const onFinished = (event: CustomEvent<OperationFinishedEvent>): void => { finished.push(event.detail) }
    products[0].addEventListener('operation:finished', onFinished)
    await assert.rejects(products[0].putProduct({ id: 'SVC-CAS', name: 'x', price: '1.00', currency: 'EUR' }, { expectedVersion: 4 }))
    products[0].removeEventListener('operation:finished', onFinished)
    assert.deepEqual(finished.map(e => [e.operation, e.error]), [['put', 'VersionConflictError']])
  })
})

describe('a node\'s life cycle', () => {
  const nodes: ProductNode[] = []
  after(async () => { await stopAll(nodes) })

  it('is created stopped with start: false, starts, stops, and starts again with its records', async () => {
    nodes.push(await createProductNode({ replicationFactor: 1, writeQuorum: 1, readQuorum: 1 }))
    const node = await createProductNode({ start: false, bootstrap: nodes[0].getMultiaddrs().map(String), replicationFactor: 1, writeQuorum: 1, readQuorum: 1 })
    nodes.push(node)
    assert.equal(node.isStarted(), false)
    await assert.rejects(node.getProduct('P1'), NotStartedError)
    await node.start({ signal: AbortSignal.timeout(10_000) })
    assert.equal(node.isStarted(), true)
    assert.equal(node.knownPeers, 1)
    await node.putProduct({ id: 'LIFE-1', name: 'Before the restart', price: '1.00', currency: 'EUR' })
    await node.stop()
    assert.equal(node.isStarted(), false)
    await assert.rejects(node.putProduct({ id: 'LIFE-2', name: 'x', price: '1.00', currency: 'EUR' }), NotStartedError)
    await node.start()
    assert.equal((await node.getProduct('LIFE-1'))?.name, 'Before the restart')
    await node.putProduct({ id: 'LIFE-2', name: 'After the restart', price: '1.00', currency: 'EUR' })
    assert.equal((await nodes[0].getProduct('LIFE-2'))?.name, 'After the restart')
  })

  it('gives up a start whose signal aborts, and leaves nothing running', async () => {
    // a bootstrap address that takes the whole join: a peer that never answers the dial in time
    const controller = new AbortController()
    const starting = createProductNode({ bootstrap: [`/ip4/127.0.0.1/tcp/9/p2p/${nodes[0].peerId.toString()}`], signal: controller.signal })
    controller.abort(new Error('stop the start'))
    await assert.rejects(starting)
  })
})

async function waitUntil (condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  assert.ok(condition(), `timed out waiting for ${what}`)
}
