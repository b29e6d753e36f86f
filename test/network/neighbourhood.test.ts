/**
 * Joining the keyspace through PEERS: a bootstrap record peer names the
 * joining node's nearest record peers and a few from each part of the
 * keyspace, so that the node's first puts, right after its start resolved
 * and before any lookup of its own, land on the true replica sets and are
 * found from the other nodes; its background lookup then makes it known to
 * its nearest peers. PEERS answers are checked against an independent
 * computation (node:crypto and BigInt XOR); test/replication/neighbourhood.test.ts
 * checks how an answer is chosen from a view too large to name whole.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPrivateKey } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { createProductNode } from '../../src/index.js'
import { Request, Response } from '../../src/model/messages.js'
import { encodeRequest, expectedReplicas, rawExchange, startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'
import type { PeerId } from '@libp2p/interface'

const R = 3

function position (peer: PeerId): bigint {
  return BigInt('0x' + createHash('sha256').update(peer.toMultihash().bytes).digest('hex'))
}

/** The 2r of `peers` nearest to `joiner`, nearest first: what PEERS names without wantPeers. */
function nearestOf (joiner: PeerId, peers: PeerId[]): string[] {
  const target = position(joiner)
  return peers
    .map(peer => ({ peer: peer.toString(), distance: position(peer) ^ target }))
    .sort((a, b) => a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0)
    .slice(0, 2 * R)
    .map(e => e.peer)
}

function named (response: Response | undefined): string[] {
  assert.ok(response !== undefined, 'no answer')
  assert.equal(response.status, Response.Status.OK, response.message)
  return response.closer.map(hint => peerIdFromMultihash(Digest.decode(hint.id)).toString()).sort()
}

describe('joining the keyspace through a bootstrap record peer', () => {
  let nodes: ProductNode[] = []
  const joined: ProductNode[] = []
  before(async () => { nodes = await startNetwork(12) })
  after(async () => { await stopAll([...joined, ...nodes]) })

  it('answers PEERS with the nearest record peers, and a few from each part of the keyspace when asked', async () => {
    const [asker, answerer] = nodes
    const joiner = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const others = nodes.filter(n => n !== asker && n !== answerer).map(n => n.peerId)
    const ask = async (wantPeers: boolean): Promise<Response | undefined> =>
      rawExchange(asker, answerer.peerId, [encodeRequest({ type: Request.Type.PEERS, key: joiner.toMultihash().bytes, wantPeers })])
    // a view this small (10 peers besides the asker) fits in one answer: all of it
    assert.deepEqual(named(await ask(true)), others.map(String).sort())
    assert.deepEqual(named(await ask(false)), nearestOf(joiner, others).sort())
  })

  it('refuses PEERS for a key that is no peer id', async () => {
    const response = await rawExchange(nodes[0], nodes[1].peerId, [encodeRequest({ type: Request.Type.PEERS, key: new Uint8Array([1, 2, 3, 4, 5]) })])
    assert.equal(response?.status, Response.Status.INVALID)
    assert.match(response?.message ?? '', /peer id/)
  })

  it('puts from a node right after its start land on the true replica sets, and the others find them', async () => {
    const bootstrap = nodes[5]
    const node = await createProductNode({ bootstrap: bootstrap.getMultiaddrs().map(String) })
    joined.push(node)
    // ready before any lookup of its own: its bootstrap peer named the record peers it knows
    for (const peer of nodes.filter(n => n !== bootstrap).map(n => n.peerId)) {
      assert.ok(knows(node, peer), `the new node knows its near peer ${peer}`)
    }
    const everyone = [...nodes, node].map(n => n.peerId)
    for (let i = 0; i < 12; i++) {
      const id = `NEIGHBOURHOOD-${i}`
      const put = await node.putProduct({ id, name: `Product ${i}`, price: '1.00', currency: 'EUR' })
      assert.deepEqual(put.replicas.map(String).sort(), expectedReplicas(id, everyone, R).sort(), `${id} on its true replica set`)
    }
    for (let i = 0; i < 12; i++) {
      const reader = nodes[(i * 5) % nodes.length]
      assert.equal((await reader.getProduct(`NEIGHBOURHOOD-${i}`))?.name, `Product ${i}`)
    }
    // in the background, its lookups make it known to its nearest peers (bounded wait for identify)
    await node.settled({ signal: AbortSignal.timeout(60_000) })
    const nearest = new Set(nearestOf(node.peerId, nodes.map(n => n.peerId)).slice(0, R))
    const near = nodes.filter(n => nearest.has(n.peerId.toString()))
    for (let i = 0; i < 100 && near.some(n => !knows(n, node.peerId)); i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    for (const peer of near) assert.ok(knows(peer, node.peerId), `${peer.peerId.toString()} knows the new node`)
  })
})

/** Whether `node`'s view of record peers holds `peer` (`peer` as a PeerId or its string). */
function knows (node: ProductNode, peer: PeerId | string): boolean {
  const view = (node.products as unknown as { view: { peers(): PeerId[] } }).view
  return view.peers().some(p => p.toString() === peer.toString())
}
