/**
 * Per-peer limits of the record protocol on a real 3-node network: streams
 * one peer may hold open, requests it may send per second, and how long it
 * may take to send one request. The target runs with small limits so that
 * a test reaches them quickly.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { createProductNode } from '../../src/index.js'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { MAX_MESSAGE_SIZE, RECORD_PROTOCOL } from '../../src/protocol/constants.js'
import { stopAll } from '../helpers/network.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'
import type { Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'

const STREAMS = 4
const RATE = 20
const REQUEST_TIMEOUT = 1_000

describe('per-peer limits on the record protocol', () => {
  // target and member hold replicas (r = W = 2); the attacker is a client-mode
  // node that only ever dials the target by hand
  let target: ProductNode
  let member: ProductNode
  let attacker: ProductNode
  const open: Stream[] = []

  const limits: ProductNodeOptions = {
    replicationFactor: 2,
    maxInboundStreamsPerPeer: STREAMS,
    maxRequestsPerPeerPerSecond: RATE,
    requestTimeout: REQUEST_TIMEOUT
  }

  const getFrame = (id: string): Uint8Array => Request.encode({ type: Request.Type.GET, key: productKey(id), wantPeers: false })

  async function openStream (from: ProductNode): Promise<{ stream: Stream, lp: LengthPrefixedStream<Stream> }> {
    const stream = await from.libp2p.dialProtocol(target.peerId, RECORD_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
    open.push(stream)
    return { stream, lp: lpStream(stream) }
  }

  async function ask (lp: LengthPrefixedStream<Stream>, frame: Uint8Array): Promise<Response> {
    const signal = AbortSignal.timeout(5_000)
    await lp.write(frame, { signal })
    return Response.decode(await lp.read({ signal }))
  }

  /** Waits until the target's rate window for every peer has expired. */
  async function freshWindow (): Promise<void> {
    await sleep(1_100)
  }

  before(async () => {
    target = await createProductNode(limits)
    const bootstrap = target.getMultiaddrs().map(String)
    member = await createProductNode({ ...limits, bootstrap })
    // no bootstrap: its join would ask the target for peers, on a stream of its own
    attacker = await createProductNode({ ...limits, clientMode: true })
    await attacker.libp2p.dial(target.getMultiaddrs()[0], { signal: AbortSignal.timeout(5_000) })
  })

  after(async () => {
    for (const stream of open) {
      stream.abort(new Error('test over'))
    }
    await stopAll([attacker, member, target].filter(n => n !== undefined))
  })

  it('answers BUSY past the streams one peer may hold, serves others meanwhile, and admits again once one closes', async () => {
    const held = []
    for (let i = 0; i < STREAMS; i++) {
      const s = await openStream(attacker)
      assert.equal((await ask(s.lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
      held.push(s)
    }
    const busyBefore = target.status().busySent
    const extra = await openStream(attacker)
    const refused = await ask(extra.lp, getFrame('P-NONE'))
    assert.equal(refused.status, Response.Status.BUSY)
    assert.equal(target.status().busySent, busyBefore + 1, 'the BUSY answer is counted')
    assert.ok(refused.retryAfter > 0, 'BUSY names a time to wait')
    assert.match(refused.message, /streams per peer/)

    // the limit is per peer: another peer is served while the attacker is refused
    const other = await openStream(member)
    assert.equal((await ask(other.lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    await other.stream.close()

    await held[0].stream.close()
    let again: Response | undefined
    for (let i = 0; i < 50 && again?.status !== Response.Status.NOT_FOUND; i++) {
      await sleep(20)
      const s = await openStream(attacker)
      again = await ask(s.lp, getFrame('P-NONE')).catch(() => undefined)
      if (again?.status !== Response.Status.NOT_FOUND) {
        s.stream.abort(new Error('refused'))
      } else {
        held.push(s)
      }
    }
    assert.equal(again?.status, Response.Status.NOT_FOUND, 'a stream was admitted again after one closed')
    for (const s of held) {
      await s.stream.close()
    }
  })

  it('answers BUSY with the time to wait past the request rate, and serves again after it', async () => {
    await freshWindow()
    const { stream, lp } = await openStream(attacker)
    const answers: Response[] = []
    // a fresh window admits RATE requests; ask until one is refused (bounded)
    for (let i = 0; i < 20 * RATE && answers.at(-1)?.status !== Response.Status.BUSY; i++) {
      answers.push(await ask(lp, getFrame(`P-RATE-${i}`)))
    }
    assert.ok(answers.slice(0, RATE).every(r => r.status === Response.Status.NOT_FOUND), 'the first requests of a fresh window were served')
    const busy = answers.at(-1)!
    assert.equal(busy.status, Response.Status.BUSY, 'no request was refused')
    assert.ok(busy.retryAfter >= 1 && busy.retryAfter <= 1_000, `retryAfter ${busy.retryAfter}`)
    assert.match(busy.message, /requests per second/)

    // the rate is per peer
    const other = await openStream(member)
    assert.equal((await ask(other.lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    await other.stream.close()

    // the stream stays usable: after the wait the attacker is served again
    await sleep(busy.retryAfter + 50)
    assert.equal((await ask(lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    await stream.close()
  })

  it('lets a bulk writer slow down instead of failing when it meets the rate', async () => {
    await freshWindow()
    // the target's BUSY answers: only the writer sends it anything meanwhile
    const busyBefore = target.status().busySent
    // each put sends one request to the target: four seconds' worth of its rate, all at once
    const count = 4 * RATE
    const puts = await Promise.all(Array.from({ length: count }, async (_, i) =>
      member.putProduct({ id: `P-BULK-${i}`, name: `Bulk ${i}`, price: '1.00', currency: 'EUR' })))
    assert.ok(puts.every(put => put.replicas.map(String).length === 2))
    assert.ok(target.status().busySent > busyBefore, 'the writer never met the rate')
    await freshWindow()
    // read through the target's own client (the attacker must not pool streams to it)
    for (const i of [0, count / 2, count - 1]) {
      assert.equal((await target.getProduct(`P-BULK-${i}`))?.name, `Bulk ${i}`)
    }
  })

  it('refuses a length prefix that never ends, without reading on', async () => {
    await freshWindow()
    const { stream, lp } = await openStream(attacker)
    // varint continuation bytes only: no legal prefix is longer than 3 bytes
    stream.send(new Uint8Array(64).fill(0x80))
    const response = Response.decode(await lp.read({ signal: AbortSignal.timeout(5_000) }))
    assert.equal(response.status, Response.Status.TOO_LARGE)
    stream.abort(new Error('done'))
  })

  /** True once the target has ended `stream`; waits at most `ms`, sending a byte every 200 ms when `trickle`. */
  async function endedWithin (stream: Stream, ms: number, trickle: boolean): Promise<boolean> {
    let ended = stream.status !== 'open'
    const onClose = (): void => { ended = true }
    stream.addEventListener('close', onClose)
    for (let waited = 0; waited < ms && !ended; waited += 200) {
      await sleep(200)
      if (trickle && stream.status === 'open' && stream.writeStatus === 'writable') {
        stream.send(Uint8Array.of(0))
      }
      ended ||= stream.status !== 'open'
    }
    stream.removeEventListener('close', onClose)
    return ended
  }

  it('cuts off a sender that trickles a request, long before the idle timeout', async () => {
    await freshWindow()
    const { stream, lp } = await openStream(attacker)
    // one request in full, so that the stream is in its idle wait (60 s) ...
    assert.equal((await ask(lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    // ... then a frame that announces 100 bytes and sends one every 200 ms
    stream.send(Uint8Array.of(100))
    assert.ok(await endedWithin(stream, 8 * REQUEST_TIMEOUT, true), 'the trickling stream was never cut off')
  })

  it('cuts off a request whose start came with the one before it', async () => {
    await freshWindow()
    const { stream, lp } = await openStream(attacker)
    // a whole request and the first byte of the next in one write: that byte
    // is already buffered when the server starts to wait for the next request
    const frame = getFrame('P-NONE')
    stream.send(Uint8Array.of(frame.length, ...frame, 100))
    assert.equal(Response.decode(await lp.read({ signal: AbortSignal.timeout(5_000) })).status, Response.Status.NOT_FOUND)
    assert.ok(await endedWithin(stream, 8 * REQUEST_TIMEOUT, false), 'the unfinished request held the stream')
  })

  it('keeps a stream that is idle between requests for longer than the request timeout', async () => {
    await freshWindow()
    const { stream, lp } = await openStream(attacker)
    assert.equal((await ask(lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    await sleep(1.5 * REQUEST_TIMEOUT)
    assert.equal((await ask(lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    await stream.close()
  })

  it('aborts a stream on which a peer pushes more than two frames without reading', async () => {
    await freshWindow()
    const { stream } = await openStream(attacker)
    // a frame of the largest size, and twice as much again behind it
    const big = new Uint8Array(3 * MAX_MESSAGE_SIZE)
    big.set(varint.encode(MAX_MESSAGE_SIZE))
    stream.send(big)
    assert.ok(await endedWithin(stream, 5_000, false), 'the target kept buffering')
  })

  it('resets refused streams that their peer never closes, and still answers BUSY', async () => {
    await freshWindow()
    const held = []
    for (let i = 0; i < STREAMS; i++) {
      const s = await openStream(attacker)
      assert.equal((await ask(s.lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
      held.push(s)
    }
    // refused streams the attacker leaves half open
    const refused = []
    for (let i = 0; i < 3; i++) {
      const s = await openStream(attacker)
      assert.equal((await ask(s.lp, getFrame('P-NONE'))).status, Response.Status.BUSY)
      refused.push(s)
    }
    for (const s of refused) {
      assert.ok(await endedWithin(s.stream, 5 * REQUEST_TIMEOUT, false), 'a refused stream stayed open')
    }
    const more = await openStream(attacker)
    assert.equal((await ask(more.lp, getFrame('P-NONE'))).status, Response.Status.BUSY)
    for (const s of [...held, more]) {
      s.stream.abort(new Error('done'))
    }
  })

  it('still serves the attacker on a new stream after all this', async () => {
    await freshWindow()
    const fresh = await openStream(attacker)
    assert.equal((await ask(fresh.lp, getFrame('P-NONE'))).status, Response.Status.NOT_FOUND)
    await fresh.stream.close()
  })
})
