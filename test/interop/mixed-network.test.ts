/**
 * product-dht nodes in one DHT with go-libp2p peers (go-libp2p-kad-dht, the
 * implementation the public IPFS DHT runs), on the same protocol id.
 * Skipped, visibly, where Go is not installed.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { createIPNSRecord, marshalIPNSRecord, multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns'
import { peerIdFromString } from '@libp2p/peer-id'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { concat as uint8ArrayConcat } from 'uint8arrays/concat'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { createProductNode } from '../../src/index.js'
import { productKey } from '../../src/model/keys.js'
import { expectedReplicas, stopAll } from '../helpers/network.js'
import { GoPeer, buildGoPeer, goMissing } from './go-peer.js'
import type { ProductNode } from '../../src/index.js'

const missing = goMissing()
const hex = (bytes: Uint8Array): string => uint8ArrayToString(bytes, 'base16')

describe('a mixed network of go-libp2p and product-dht peers', { skip: missing }, () => {
  const goPeers: GoPeer[] = []
  let nodes: ProductNode[] = []

  before(async () => {
    const binary = buildGoPeer()
    goPeers.push(await GoPeer.start(binary), await GoPeer.start(binary), await GoPeer.start(binary))
    await goPeers[1].command(`connect ${goPeers[0].addresses[0]}`)
    await goPeers[2].command(`connect ${goPeers[0].addresses[0]}`)
    // the TypeScript nodes know one Go peer and nothing else
    const bootstrap = [goPeers[0].addresses[0]]
    for (let i = 0; i < 5; i++) {
      nodes.push(await createProductNode({ bootstrap }))
    }
  })

  after(async () => {
    await stopAll(nodes)
    await Promise.all(goPeers.map(async peer => peer.stop()))
  })

  it('TypeScript nodes that bootstrap through a Go peer alone put and get across, and find each other', async () => {
    // a node may have joined before the Go peer knew any other product node; its first
    // request then finds them through a DHT lookup and the catalog rendezvous
    for (const [i, node] of nodes.entries()) {
      await node.putProduct({ id: `P-BOOT-${i}`, name: `From ${i}`, price: '1.00', currency: 'EUR' })
      assert.equal((await nodes[(i + 1) % nodes.length].getProduct(`P-BOOT-${i}`))?.name, `From ${i}`)
    }
    const tsIds = new Set(nodes.map(n => n.peerId.toString()))
    for (const node of nodes) {
      assert.ok(node.knownPeers >= 3, `${node.peerId} knows ${node.knownPeers} record peers`)
      // no Go peer is ever taken for a replica
      assert.ok(node.replicasOf('anything').every(id => tsIds.has(id.toString())))
    }
  })

  it('Go and TypeScript peers find each other and agree on the closest peers to a key', async () => {
    const key = productKey('P-INTEROP-1')
    const everyone = [...goPeers.map(p => p.peerId), ...nodes.map(n => n.peerId.toString())]
    const expected = expectedReplicas('P-INTEROP-1', everyone.map(id => peerIdFromString(id)), 4)

    const fromGo = await goPeers[2].command(`closest ${hex(key)}`)
    assert.ok(nodes.some(n => fromGo.includes(n.peerId.toString())), 'the Go peer found no TypeScript peer')

    const fromTs = new Set<string>()
    for await (const event of nodes[2].libp2p.services.dht.getClosestPeers(key, { signal: AbortSignal.timeout(30_000) })) {
      if (event.name === 'FINAL_PEER') fromTs.add(event.peer.id.toString())
    }
    assert.ok(goPeers.some(p => fromTs.has(p.peerId)), 'the TypeScript node found no Go peer')

    // each side ranks the peers it found (plus itself) by distance: the closest 4 agree with an independent computation
    const rank = (ids: string[]): string[] => expectedReplicas('P-INTEROP-1', ids.map(id => peerIdFromString(id)), 4)
    assert.deepEqual(rank([...fromGo, goPeers[2].peerId]), expected)
    assert.deepEqual(rank([...fromTs, nodes[2].peerId.toString()]), expected)
  })

  it('products land only on record-protocol peers, even where Go peers are closer to the key', async () => {
    const everyone = [...goPeers.map(p => peerIdFromString(p.peerId)), ...nodes.map(n => n.peerId)]
    // a product id whose closest peer overall is a Go peer
    let id = ''
    for (let i = 0; i < 500 && id === ''; i++) {
      if (goPeers.some(p => p.peerId === expectedReplicas(`P-GO-${i}`, everyone, 1)[0])) id = `P-GO-${i}`
    }
    assert.notEqual(id, '', 'no id with a Go peer closest in 500 tries')
    const receipt = await nodes[0].putProduct({ id, name: 'Across', price: '5.00', currency: 'EUR' })
    assert.deepEqual(receipt.replicas.map(String).sort(), [...expectedReplicas(id, nodes.map(n => n.peerId), 3)].sort())
    assert.equal((await nodes[4].getProduct(id))?.name, 'Across')
  })

  it('a /pk record put by the Go peer is read through a TypeScript node, and the other way round', async () => {
    const pkKey = (peerId: string): Uint8Array => uint8ArrayConcat([uint8ArrayFromString('/pk/'), peerIdFromString(peerId).toMultihash().bytes])

    // TypeScript puts its own public key; the Go peer reads it
    const ts = nodes[1]
    const tsKey = pkKey(ts.peerId.toString())
    const tsValue = publicKeyToProtobuf(ts.libp2p.peerId.publicKey!)
    for await (const event of ts.libp2p.services.dht.put(tsKey, tsValue, { signal: AbortSignal.timeout(30_000) })) { void event }
    assert.deepEqual(await goPeers[1].command(`get ${hex(tsKey)}`), [hex(tsValue)])

    // the Go peer stores a TypeScript node's public key record; another TypeScript node reads it
    const other = nodes[3]
    const otherKey = pkKey(other.peerId.toString())
    const otherValue = publicKeyToProtobuf(other.libp2p.peerId.publicKey!)
    await goPeers[0].command(`put ${hex(otherKey)} ${hex(otherValue)}`)
    let found: Uint8Array | undefined
    for await (const event of nodes[4].libp2p.services.dht.get(otherKey, { signal: AbortSignal.timeout(30_000) })) {
      if (event.name === 'VALUE') found = event.value
    }
    assert.ok(found !== undefined && hex(found) === hex(otherValue))
  })

  it('an /ipns record published by the Go peer is read through a TypeScript node, and the other way round', async () => {
    const dhtGet = async (node: ProductNode, key: Uint8Array): Promise<Uint8Array | undefined> => {
      let value: Uint8Array | undefined
      for await (const event of node.libp2p.services.dht.get(key, { signal: AbortSignal.timeout(30_000) })) {
        if (event.name === 'VALUE') value = event.value
      }
      return value
    }

    // TypeScript signs and puts a record; the Go peer (boxo's IPNS validator) accepts and returns it
    const key = await generateKeyPair('Ed25519')
    const record = await createIPNSRecord(key, '/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', 1n, 60 * 60 * 1000)
    const routingKey = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
    for await (const event of nodes[0].libp2p.services.dht.put(routingKey, marshalIPNSRecord(record), { signal: AbortSignal.timeout(30_000) })) { void event }
    const fromGo = await goPeers[2].command(`get ${hex(routingKey)}`)
    assert.equal(unmarshalIPNSRecord(uint8ArrayFromString(fromGo[0], 'base16')).value, record.value)

    // the Go peer publishes for its own key; a TypeScript node validates and reads it
    const path = '/ipfs/bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq'
    const [goKeyHex] = await goPeers[1].command(`ipns ${path}`)
    const value = await dhtGet(nodes[3], uint8ArrayFromString(goKeyHex, 'base16'))
    assert.ok(value !== undefined, 'no /ipns value found through the TypeScript node')
    assert.equal(unmarshalIPNSRecord(value).value, path)
  })
})

if (missing !== undefined) {
  console.log(`# ${missing}`)
}
