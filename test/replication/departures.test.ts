/**
 * The departure watch dials departed record peers again, less and less
 * often, until one answers (a partition healed) and identify brings it back
 * into the view; after `retryFor` it leaves them be. A dial that returns a
 * connection that never closed brings no identify: the peer is back once it
 * answers a record request.
 */
import { describe, it, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { DepartureWatch } from '../../src/replication/departures.js'
import { RecordPeerView } from '../../src/replication/peer-view.js'
import type { Connection, Libp2pEvents, PeerId, PeerStore } from '@libp2p/interface'

const PROTOCOL = '/product-dht/record/1.0.0'

async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/**
 * A view with one record peer that has departed, and a connection manager
 * whose dials fail until `reachable`. With `staleConnection`, a dial returns
 * the connection that was open all along: no identify, and the peer answers
 * requests only once `answering`.
 */
async function departedPeer (init: { retryFirst: number, retryMax: number, retryFor?: number }, staleConnection = false): Promise<{ view: RecordPeerView, watch: DepartureWatch, peer: PeerId, dials: number[], probes: number[], reachable: (yes: boolean) => void, answering: (yes: boolean) => void }> {
  const events = new TypedEventEmitter<Libp2pEvents>()
  const peerStore = { all: async () => [], get: async () => { throw new Error('not found') } } as unknown as PeerStore
  const view = new RecordPeerView({ peerId: await newPeer(), peerStore, events, logger: defaultLogger() }, { protocol: PROTOCOL, selfIsReplica: true })
  await view.start()
  const peer = await newPeer()
  view.add(peer)
  view.markDeparted(peer)
  const dials: number[] = []
  const probes: number[] = []
  let up = staleConnection
  let answers = false
  const connectionManager = {
    getConnections: () => [],
    openConnection: async (to: PeerId): Promise<Connection> => {
      dials.push(Date.now())
      if (!up) throw new Error('connect EHOSTUNREACH')
      // what libp2p does on a new connection: identify tells the protocols
      if (!staleConnection) setTimeout(() => { events.safeDispatchEvent('peer:identify', { detail: { peerId: to, protocols: [PROTOCOL] } as unknown as Libp2pEvents['peer:identify']['detail'] }) }, 1)
      return {} as unknown as Connection
    }
  }
  const probe = async (): Promise<void> => {
    probes.push(Date.now())
    // a new connection that identify has not finished with yet answers too
    if (staleConnection && !answers) throw new Error('The operation was aborted due to timeout')
  }
  const watch = new DepartureWatch({ view, connectionManager, probe, events, logger: defaultLogger() }, init)
  watch.start()
  return { view, watch, peer, dials, probes, reachable: yes => { up = yes }, answering: yes => { answers = yes } }
}

async function backInView (view: RecordPeerView, peer: PeerId, within: number): Promise<void> {
  const deadline = Date.now() + within
  while (!view.has(peer)) {
    assert.ok(Date.now() < deadline, `the peer was not back in the view within ${within} ms of answering`)
    await sleep(10)
  }
  assert.equal(view.isDeparted(peer), false)
}

describe('departed record peers', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(stops.splice(0).map(async stop => stop()))
  })

  it('are dialled again with growing pauses, and come back once a dial succeeds', async () => {
    const { view, watch, peer, dials, reachable } = await departedPeer({ retryFirst: 20, retryMax: 160 })
    stops.push(async () => { await watch.stop(); view.stop() })
    await sleep(400)
    assert.ok(dials.length >= 3, `${dials.length} dials in 400 ms`)
    const pauses = dials.slice(1).map((at, i) => at - dials[i])
    assert.ok(pauses[pauses.length - 1] > pauses[0], `the pauses grow: ${pauses.join(', ')} ms`)
    assert.equal(view.has(peer), false)

    reachable(true)
    await backInView(view, peer, 2_000)
    const dialsWhenBack = dials.length
    await sleep(400)
    assert.equal(dials.length, dialsWhenBack, 'no more dials once it is back')
  })

  it('on a connection that never closed, come back once they answer a request', async () => {
    const { view, watch, peer, dials, probes, answering } = await departedPeer({ retryFirst: 20, retryMax: 40 }, true)
    stops.push(async () => { await watch.stop(); view.stop() })
    await sleep(300)
    assert.ok(probes.length >= 2, `${probes.length} requests in 300 ms`)
    assert.equal(view.has(peer), false, 'a dial that returned the old connection alone brought it back')

    answering(true)
    await backInView(view, peer, 2_000)
    const dialsWhenBack = dials.length
    await sleep(200)
    assert.equal(dials.length, dialsWhenBack, 'no more dials once it is back')
  })

  it('are left be after retryFor', async () => {
    const { view, watch, dials } = await departedPeer({ retryFirst: 10, retryMax: 10, retryFor: 100 })
    stops.push(async () => { await watch.stop(); view.stop() })
    await sleep(250)
    const after = dials.length
    assert.ok(after > 0)
    await sleep(250)
    assert.equal(dials.length, after)
  })
})
