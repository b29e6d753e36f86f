/**
 * product-dht nodes inside DHTs run by others: a minority among go-libp2p
 * peers (found through the catalog's rendezvous), and on the public IPFS
 * DHT's protocol id. Skipped, visibly, where Go is not installed.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createProductNode, PUBLIC_DHT_PROTOCOL, rendezvousCid } from '../../src/index.js'
import { expectedReplicas, stopAll } from '../helpers/network.js'
import { GoPeer, buildGoPeer, goMissing } from './go-peer.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'

const missing = goMissing()

async function startGoPeers (count: number, options: { prefix?: string, k?: number }): Promise<GoPeer[]> {
  const binary = buildGoPeer()
  const peers = await Promise.all(Array.from({ length: count }, async () => GoPeer.start(binary, options)))
  // a chain plus a hub, then a routing table refresh: a connected Kademlia network of Go peers
  for (let i = 1; i < peers.length; i++) {
    await peers[i].command(`connect ${peers[0].addresses[0]}`)
    await peers[i].command(`connect ${peers[i - 1].addresses[0]}`)
  }
  await Promise.all(peers.map(async peer => peer.command('bootstrap')))
  return peers
}

/** Polls `check` every 100 ms, at most `attempts` times, until it returns true. */
async function eventually (check: () => Promise<boolean>, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return false
}

describe('product nodes outnumbered by go-libp2p peers find each other through the catalog rendezvous', { skip: missing }, () => {
  // small k-buckets make 16 Go peers behave like a big network: a lookup meets a few peers only
  const K = 3
  const catalog = 'interop-shop'
  const options: ProductNodeOptions = { dhtProtocol: '/foreign/kad/1.0.0', catalog, dht: { kBucketSize: K } }
  let goPeers: GoPeer[] = []
  const nodes: ProductNode[] = []

  before(async () => {
    goPeers = await startGoPeers(16, { prefix: '/foreign', k: K })
    // three record peers, each joining through a different Go peer
    for (const via of [3, 8, 13]) {
      nodes.push(await createProductNode({ ...options, bootstrap: [goPeers[via].addresses[0]] }))
    }
  })

  after(async () => {
    await stopAll(nodes)
    await Promise.all(goPeers.map(async peer => peer.stop()))
  })

  it('record peers announce themselves as providers of the rendezvous CID, and a Go peer finds exactly them', async () => {
    const cid = rendezvousCid(catalog).toString()
    const tsIds = nodes.map(n => n.peerId.toString()).sort()
    let providers: string[] = []
    const found = await eventually(async () => {
      providers = (await goPeers[15].command(`providers ${cid}`)).sort()
      return tsIds.every(id => providers.includes(id))
    })
    assert.ok(found, `the Go peer found providers ${providers.join(', ')}; expected ${tsIds.join(', ')}`)
    assert.deepEqual(providers, tsIds, 'only record peers provide the rendezvous CID')
  })

  it('a node joining through one Go peer knows every record peer at once, and puts and gets on them', async () => {
    const joiner = await createProductNode({ ...options, bootstrap: [goPeers[0].addresses[0]] })
    nodes.push(joiner)
    assert.equal(joiner.knownPeers, 3, 'the joiner should know the 3 record peers right after joining')

    const receipt = await joiner.putProduct({ id: 'P-FOREIGN', name: 'Across Go', price: '3.50', currency: 'EUR' })
    // on record peers only (a replica slow to dial through this sparse network may be replaced by the next closest)
    const recordPeers = nodes.map(n => n.peerId.toString())
    assert.ok(receipt.replicas.map(String).length >= 3 && receipt.replicas.map(String).every(id => recordPeers.includes(id)), JSON.stringify(receipt))
    assert.ok(expectedReplicas('P-FOREIGN', nodes.map(n => n.peerId), 3).filter(id => receipt.replicas.map(String).includes(id)).length >= 2)
    assert.equal((await nodes[1].getProduct('P-FOREIGN'))?.name, 'Across Go')
  })

  it('a node of another catalog meets its own peers under its own rendezvous CID, not these', async () => {
    const stranger = await createProductNode({ ...options, catalog: 'another-shop', bootstrap: [goPeers[5].addresses[0]] })
    nodes.push(stranger)
    const cid = rendezvousCid('another-shop').toString()
    let providers: string[] = []
    assert.ok(await eventually(async () => {
      providers = await goPeers[10].command(`providers ${cid}`)
      return providers.includes(stranger.peerId.toString())
    }), 'the stranger announces its own catalog')
    assert.deepEqual(providers, [stranger.peerId.toString()])
  })
})

describe('product nodes on the public DHT protocol /ipfs/kad/1.0.0 with go-libp2p peers', { skip: missing }, () => {
  let goPeers: GoPeer[] = []
  const nodes: ProductNode[] = []

  before(async () => {
    // go-libp2p-kad-dht enforces the public network's settings (k = 20, /pk and /ipns validators) on this prefix
    goPeers = await startGoPeers(3, { prefix: '/ipfs' })
    for (let i = 0; i < 3; i++) {
      nodes.push(await createProductNode({ dhtProtocol: PUBLIC_DHT_PROTOCOL, bootstrap: [goPeers[i].addresses[0]] }))
    }
  })

  after(async () => {
    await stopAll(nodes)
    await Promise.all(goPeers.map(async peer => peer.stop()))
  })

  it('routes through the Go peers and keeps products on record peers only', async () => {
    const receipt = await nodes[0].putProduct({ id: 'P-AMINO', name: 'Public', price: '10', currency: 'JPY' })
    assert.deepEqual(receipt.replicas.map(String).sort(), nodes.map(n => n.peerId.toString()).sort())
    assert.equal((await nodes[2].getProduct('P-AMINO'))?.price, '10')
    const routing = await goPeers[1].command('routing')
    assert.ok(nodes.some(n => routing.includes(n.peerId.toString())), 'the Go peer routes to TypeScript peers on /ipfs/kad/1.0.0')
  })

  it("with addressFilter 'public', loopback peers never enter the DHT's routing table", async () => {
    const node = await createProductNode({ dhtProtocol: PUBLIC_DHT_PROTOCOL, addressFilter: 'public', bootstrap: [goPeers[0].addresses[0]], joinTimeout: 10_000 })
    nodes.push(node)
    const dht = node.libp2p.services.dht
    assert.equal(dht.routingTable.size, 0)
    // connected all the same: the record protocol still reaches peers it was given
    assert.ok(node.libp2p.getConnections().length > 0)
  })
})

if (missing !== undefined) {
  console.log(`# ${missing}`)
}
