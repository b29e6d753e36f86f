/**
 * The record client against a peer that answers BUSY, on two real libp2p
 * hosts: how often it asks again, when it gives up, that it honours its
 * signal while waiting, that it keeps a stream the server kept, and that
 * it keeps at most MAX_REQUESTS_IN_FLIGHT_PER_PEER requests on the wire.
 */
import { describe, it, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { defaultLogger } from '@libp2p/logger'
import { createProductNode } from '../../src/index.js'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { RecordClient } from '../../src/protocol/client.js'
import { MAX_REQUESTS_IN_FLIGHT_PER_PEER } from '../../src/protocol/constants.js'
import { frameStream } from '../../src/protocol/framing.js'
import type { InFlightLimit } from '../../src/protocol/in-flight.js'
import { stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'

const PROTOCOL = '/product-dht-test/busy/1.0.0'
const GET: Request = { type: Request.Type.GET, key: productKey('P-1'), wantPeers: false, ranges: [] }

describe('the record client facing BUSY', () => {
  let asker: ProductNode
  let peer: ProductNode
  let client: RecordClient
  // how the peer answers request number n (from 0) on the test protocol
  let answer: (n: number) => Response
  let delay = 0
  let requests = 0
  let streams = 0
  let active = 0
  let mostActive = 0

  const busy = (retryAfter: number): Response => ({ status: Response.Status.BUSY, message: 'busy', closer: [], retryAfter, ranges: [] })
  const notFound: Response = { status: Response.Status.NOT_FOUND, message: '', closer: [], retryAfter: 0, ranges: [] }

  before(async () => {
    peer = await createProductNode()
    asker = await createProductNode({ bootstrap: peer.getMultiaddrs().map(String) })
    await peer.libp2p.handle(PROTOCOL, (stream) => {
      streams++
      const lp = frameStream(stream)
      void (async () => {
        try {
          for (let i = 0; i < 1_000; i++) {
            await lp.read({ signal: AbortSignal.timeout(10_000) })
            mostActive = Math.max(mostActive, ++active)
            if (delay > 0) {
              await sleep(delay)
            }
            active--
            await lp.write(Response.encode(answer(requests++)))
          }
        } catch {
          stream.abort(new Error('test stream over'))
        }
      })()
    }, { maxInboundStreams: 1_000 })
    client = new RecordClient({ connectionManager: { openStream: asker.libp2p.dialProtocol.bind(asker.libp2p) }, logger: defaultLogger() }, { protocol: PROTOCOL })
  })

  beforeEach(() => {
    requests = 0
    streams = 0
    mostActive = 0
    delay = 0
  })

  after(async () => {
    client.close()
    await stopAll([asker, peer].filter(n => n !== undefined))
  })

  it('asks again after the wait a BUSY answer names, on the same stream', async () => {
    answer = n => n < 2 ? busy(30) : notFound
    const response = await client.send(peer.peerId, GET)
    assert.equal(response.status, Response.Status.NOT_FOUND)
    assert.equal(requests, 3)
    assert.equal(streams, 1, 'the stream the peer kept open was reused')
  })

  it('gives up once its BUSY waits reach busyPatience, and returns the BUSY answer', async () => {
    answer = () => busy(100)
    const impatient = new RecordClient({ connectionManager: { openStream: asker.libp2p.dialProtocol.bind(asker.libp2p) }, logger: defaultLogger() }, { protocol: PROTOCOL, busyPatience: 300 })
    try {
      const started = Date.now()
      const response = await impatient.send(peer.peerId, GET)
      assert.equal(response.status, Response.Status.BUSY)
      assert.equal(requests, 1 + 3)
      assert.ok(Date.now() - started >= 300)
    } finally {
      impatient.close()
    }
  })

  it('waits at least a little even when told to come back at once', async () => {
    answer = n => n < 3 ? busy(1) : notFound
    const started = Date.now()
    assert.equal((await client.send(peer.peerId, GET)).status, Response.Status.NOT_FOUND)
    assert.equal(requests, 4)
    assert.ok(Date.now() - started >= 3 * 10)
  })

  it('does not wait when the peer asks for more than a second', async () => {
    answer = () => busy(60_000)
    const response = await client.send(peer.peerId, GET)
    assert.equal(response.status, Response.Status.BUSY)
    assert.equal(requests, 1)
  })

  it('stops waiting when its signal aborts', async () => {
    answer = () => busy(1_000)
    const started = Date.now()
    await assert.rejects(client.send(peer.peerId, GET, { signal: AbortSignal.timeout(100) }), (err: Error) => err.name === 'TimeoutError' || err.name === 'AbortError')
    assert.ok(Date.now() - started < 900, 'it waited out the BUSY answer')
    assert.equal(requests, 1)
  })

  it(`keeps at most ${MAX_REQUESTS_IN_FLIGHT_PER_PEER} requests to one peer on the wire; the rest wait their turn`, async () => {
    answer = () => notFound
    delay = 20
    const count = 3 * MAX_REQUESTS_IN_FLIGHT_PER_PEER
    const responses = await Promise.all(Array.from({ length: count }, async () => client.send(peer.peerId, GET)))
    assert.ok(responses.every(r => r.status === Response.Status.NOT_FOUND))
    assert.equal(requests, count)
    assert.ok(mostActive <= MAX_REQUESTS_IN_FLIGHT_PER_PEER, `${mostActive} requests in flight at once`)
    assert.ok(mostActive > 1, 'requests did not go out in parallel')
  })

  it('lets a request that waits for its turn give up with its signal, and frees every slot', async () => {
    answer = () => notFound
    delay = 200
    const busyWithOthers = Array.from({ length: MAX_REQUESTS_IN_FLIGHT_PER_PEER }, async () => client.send(peer.peerId, GET))
    await assert.rejects(client.send(peer.peerId, GET, { signal: AbortSignal.timeout(50) }), (err: Error) => err.name === 'TimeoutError')
    await Promise.all(busyWithOthers)
    assert.equal(requests, MAX_REQUESTS_IN_FLIGHT_PER_PEER, 'the request that gave up was sent')
    const slots = (client as unknown as { inFlight: InFlightLimit }).inFlight
    assert.equal(slots.active(peer.peerId.toString()), 0)
  })
})
