/**
 * What a record peer names to a joining node (PEERS with wantPeers) when its
 * view is too large to name whole: the 2r nearest, and from every part of
 * the keyspace (peers sharing a prefix of one length with the joiner) the
 * same number, at least r, as many as fit in 64. Checked against an
 * independent computation with node:crypto and BigInt XOR over 400 peers.
 */
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromMultihash, peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import * as Digest from 'multiformats/hashes/digest'
import { RecordPeerView } from '../../src/replication/peer-view.js'
import type { Libp2pEvents, PeerId, PeerStore } from '@libp2p/interface'

const R = 3
const PEERS = 400

function position (peer: PeerId): bigint {
  return BigInt('0x' + createHash('sha256').update(peer.toMultihash().bytes).digest('hex'))
}

/** Bits two 256-bit positions share before they differ. */
function sharedBits (a: bigint, b: bigint): number {
  const x = a ^ b
  return x === 0n ? 256 : 256 - x.toString(2).length
}

describe('the peers named to a joining node', () => {
  let view: RecordPeerView
  let peers: PeerId[]
  let joiner: PeerId
  let asker: PeerId

  before(async () => {
    const ids = async (n: number): Promise<PeerId[]> => Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    peers = await ids(PEERS)
    ;[joiner, asker] = await ids(2)
    // addresses are not what this checks: every peer has none
    const peerStore = { get: async (peer: PeerId) => ({ id: peer, addresses: [] }) } as unknown as PeerStore
    view = new RecordPeerView({ peerId: asker, peerStore, events: new TypedEventEmitter<Libp2pEvents>(), logger: defaultLogger() }, { protocol: '/test/record/1.0.0', selfIsReplica: true })
    for (const peer of [...peers, joiner]) view.add(peer)
  })

  const named = async (spread: boolean): Promise<string[]> =>
    (await view.neighbourhoodFor(joiner.toMultihash().bytes, R, joiner, spread)).map(hint => peerIdFromMultihash(Digest.decode(hint.id)).toString())

  it('names the 2r nearest, and without wantPeers no more', async () => {
    const target = position(joiner)
    const nearest = [...peers].sort((a, b) => { const d = (position(a) ^ target) - (position(b) ^ target); return d < 0n ? -1 : d > 0n ? 1 : 0 }).slice(0, 2 * R).map(String)
    assert.deepEqual(await named(false), nearest)
    const spread = await named(true)
    for (const peer of nearest) assert.ok(spread.includes(peer))
  })

  it('names as many from each part of the keyspace as fit, the same number from each, and never the joiner', async () => {
    const target = position(joiner)
    const spread = await named(true)
    assert.ok(spread.length <= 64 && spread.length > 2 * R, `${spread.length} named`)
    assert.ok(!spread.includes(joiner.toString()))
    const partOf = (peer: string): number => Math.min(32, sharedBits(position(peers.find(p => p.toString() === peer)!), target))
    const inView = new Map<number, number>()
    for (const peer of peers) inView.set(partOf(peer.toString()), (inView.get(partOf(peer.toString())) ?? 0) + 1)
    const namedPerPart = new Map<number, number>()
    for (const peer of spread) namedPerPart.set(partOf(peer), (namedPerPart.get(partOf(peer)) ?? 0) + 1)
    // a quota q: every part is named min(its size, q) peers, or more where its peers are among the 2r nearest
    const quota = Math.min(...[...inView.entries()].filter(([part, size]) => size > (namedPerPart.get(part) ?? 0)).map(([part]) => namedPerPart.get(part) ?? 0))
    assert.ok(quota >= R, `at least r from each part (quota ${quota})`)
    for (const [part, size] of inView) {
      assert.ok((namedPerPart.get(part) ?? 0) >= Math.min(size, quota), `part ${part}: ${namedPerPart.get(part)} of ${size} named`)
    }
    // one more from each part would not have fitted
    const withOneMore = [...inView.entries()].reduce((sum, [part, size]) => sum + Math.max(namedPerPart.get(part) ?? 0, Math.min(size, quota + 1)), 0)
    assert.ok(withOneMore > 64, `a quota of ${quota + 1} would name ${withOneMore}`)
  })
})
