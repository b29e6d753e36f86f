/**
 * A property-based barrage on a live node: 10 000 random, malformed and
 * mutated record-protocol messages from a real peer over real sockets.
 * After every message the node has answered with a status; afterwards its
 * stored records are byte for byte what they were, it still serves, and the
 * memory the barrage used has not stayed behind.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import v8 from 'node:v8'
import vm from 'node:vm'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import * as varint from 'uint8-varint'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { decodeRecord, encodeRecord } from '../../src/model/record.js'
import { signRecord } from '../../src/model/signature.js'
import { MAX_MESSAGE_SIZE, RECORD_PROTOCOL } from '../../src/protocol/constants.js'
import { frameStream } from '../../src/protocol/framing.js'
import { startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'
import type { Product as WireProduct } from '../../src/model/messages.js'
import type { WireRecord } from '../../src/model/record.js'
import type { RecordServer } from '../../src/protocol/server.js'
import type { PrivateKey, Stream } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { LengthPrefixedStream } from '@libp2p/utils'

const MESSAGES = 10_000
const RECORDS_PREFIX = '/product-dht/records'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

/** Heap in use after a full collection. */
function heapUsed (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Every stored record of `node`, as raw datastore bytes by key. */
async function storedBytes (node: ProductNode): Promise<Map<string, Uint8Array>> {
  const datastore = (node as unknown as { datastore: Datastore }).datastore
  const held = new Map<string, Uint8Array>()
  for await (const { key, value } of datastore.query({ prefix: RECORDS_PREFIX })) {
    held.set(key.toString(), value)
  }
  return held
}


/** One message the attacker sends: a frame (length-prefixed on the wire) or raw bytes. */
interface Shot {
  bytes: Uint8Array
  raw: boolean
}

type Mutation =
  | { op: 'flip', at: number, bit: number }
  | { op: 'insert', at: number, bytes: Uint8Array }
  | { op: 'delete', at: number, length: number }
  | { op: 'truncate', length: number }

function mutate (bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes)
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : ('at' in m ? m.at % out.length : 0)
    if (m.op === 'flip' && out.length > 0) {
      out[at] ^= 1 << m.bit
    } else if (m.op === 'insert') {
      out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)])
    } else if (m.op === 'delete') {
      out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.length)])
    } else if (m.op === 'truncate') {
      out = out.subarray(0, m.length % (out.length + 1))
    }
  }
  return out
}

describe(`a node under a barrage of ${MESSAGES} hostile messages`, () => {
  let nodes: ProductNode[] = []
  let target: ProductNode
  let attacker: ProductNode
  let seller: PrivateKey
  let before_: Map<string, Uint8Array>
  let records: WireRecord[] = []
  // valid signatures by a key that owns none of the products: refused as FORBIDDEN
  let strangerRecords: WireRecord[] = []
  let strangerKey: Uint8Array<ArrayBuffer>

  before(async () => {
    seller = await generateKeyPair('Ed25519')
    const stranger = await generateKeyPair('Ed25519')
    strangerKey = Uint8Array.from(publicKeyToProtobuf(stranger.publicKey))
    // the request rate is raised so that every message is parsed rather than
    // answered BUSY; the rate limit has tests of its own (limits.test.ts).
    // Maintenance waits past the test, so that the attacker's record traffic
    // is the barrage alone and it goes quiet when the barrage ends
    nodes = await startNetwork(3, { publisherKey: seller, maxRequestsPerPeerPerSecond: 1_000_000, maintenanceDelay: 600_000 })
    ;[target, attacker] = nodes
    const writer = nodes[2]
    for (let i = 0; i < 8; i++) {
      await writer.putProduct({ id: `P-FUZZ-${i}`, name: `Fuzz ${i}`, price: `${i}.50`, currency: 'EUR', tags: ['fuzz'], attributes: { size: i, new: i % 2 === 0 } })
    }
    await writer.putProduct({ id: 'P-FUZZ-1', name: 'Fuzz 1 v2', price: '1.75', currency: 'USD' })
    await writer.deleteProduct('P-FUZZ-2')
    await writer.putProduct({ id: 'P-FUZZ-3', name: 'Fuzz 3 v2', price: '3.00', currency: 'JPY' }, { expiresAt: Date.now() + 3_600_000 })
    // every node holds every product (r = 3): wait for the target's copies, bounded
    for (let i = 0; i < 100 && (await storedBytes(target)).size < 8; i++) {
      await sleep(50)
    }
    before_ = await storedBytes(target)
    assert.equal(before_.size, 8)
    records = [...before_.values()].map(bytes => decodeRecord(bytes))
    strangerRecords = await Promise.all(records.map(async r => signRecord({ ...r, version: r.version + 1n }, stranger)))
  })

  after(async () => { await stopAll(nodes) })

  it('answers every message with a status, keeps its records byte for byte, and frees what the barrage used', { timeout: 600_000 }, async t => {
    const keys: Array<Uint8Array<ArrayBuffer>> = records.map(r => Uint8Array.from(r.key))
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
    const bytes = (maxLength: number): fc.Arbitrary<Uint8Array<ArrayBuffer>> => fc.uint8Array({ maxLength }).map(b => Uint8Array.from(b))

    const product: fc.Arbitrary<WireProduct> = fc.record({
      id: fc.oneof(fc.string(), fc.constantFrom(...records.flatMap(r => r.product == null ? [] : [r.product.id]))),
      name: fc.string(),
      price: fc.oneof(fc.string(), fc.constantFrom('1.00', '-1', '1e9', 'NaN', '0.001')),
      currency: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('EUR', 'XXX')),
      description: fc.option(fc.string(), { nil: undefined }),
      category: fc.option(fc.string(), { nil: undefined }),
      tags: fc.array(fc.string(), { maxLength: 40 }),
      images: fc.array(fc.string(), { maxLength: 4 }),
      attributes: fc.array(fc.record({
        name: fc.string(),
        text: fc.option(fc.string(), { nil: undefined }),
        number: fc.option(fc.double(), { nil: undefined }),
        flag: fc.option(fc.boolean(), { nil: undefined })
      }), { maxLength: 3 })
    })

    // stored records with one field changed: every one breaks the signature or the key
    const record: fc.Arbitrary<WireRecord> = fc.constantFrom(...records, ...strangerRecords).chain(base => fc.oneof(
      fc.constant(base),
      u64.map(version => ({ ...base, version })),
      u64.map(updatedAt => ({ ...base, updatedAt })),
      u64.map(expiresAt => ({ ...base, expiresAt })),
      fc.boolean().map(tombstone => ({ ...base, tombstone })),
      bytes(80).map(signature => ({ ...base, signature })),
      fc.nat({ max: 63 * 8 }).map(bit => {
        const signature = Uint8Array.from(base.signature)
        signature[(bit >> 3) % signature.length] ^= 1 << (bit & 7)
        return { ...base, signature }
      }),
      fc.oneof(bytes(80), fc.constant(strangerKey)).map(publicKey => ({ ...base, publicKey })),
      fc.oneof(bytes(40), fc.constantFrom(...keys)).map(key => ({ ...base, key })),
      fc.option(product, { nil: undefined }).map(p => ({ ...base, product: p }))
    ))

    const request: fc.Arbitrary<Request> = fc.record({
      type: fc.constantFrom(Request.Type.UNKNOWN, Request.Type.PUT, Request.Type.GET, Request.Type.DELETE, Request.Type.SYNC, Request.Type.PEERS),
      key: fc.oneof(fc.constantFrom(...keys), bytes(40), fc.string().map(id => Uint8Array.from(productKey(id)))),
      record: fc.option(record, { nil: undefined }),
      wantPeers: fc.boolean(),
      expectedVersion: fc.option(u64, { nil: undefined }),
      ranges: fc.array(fc.record({ prefix: bytes(40), bits: fc.nat({ max: 300 }), count: fc.nat(), fingerprint: bytes(40) }), { maxLength: 40 })
    })

    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: bytes(8) }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ op: fc.constant('truncate' as const), length: fc.nat() })
    )

    const valid = [
      ...records.map(r => Request.encode({ type: r.tombstone ? Request.Type.DELETE : Request.Type.PUT, key: r.key, record: r, wantPeers: false })),
      ...strangerRecords.map(r => Request.encode({ type: Request.Type.PUT, key: r.key, record: r, wantPeers: false })),
      ...keys.map(key => Request.encode({ type: Request.Type.GET, key, wantPeers: true }))
    ]

    const shot: fc.Arbitrary<Shot> = fc.oneof(
      // random bytes in a frame
      { weight: 2, arbitrary: bytes(300).map(b => ({ bytes: b, raw: false })) },
      // well-formed requests carrying broken records, bad keys, odd versions
      { weight: 4, arbitrary: request.map(r => ({ bytes: Request.encode(r), raw: false })) },
      // valid requests with a few bytes flipped, inserted or cut
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, m]) => ({ bytes: mutate(b, m), raw: false })) },
      // a request type that does not exist
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 4, max: 2 ** 31 - 1 }), fc.constantFrom(...keys)).map(([type, key]) => ({ bytes: Uint8Array.from([0x08, ...varint.encode(type), 0x12, key.length, ...key]), raw: false })) },
      // a length prefix past the cap, or one that never ends
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: MAX_MESSAGE_SIZE + 1, max: 2 ** 31 - 1 }), bytes(16)).map(([length, tail]) => ({ bytes: Uint8Array.from([...varint.encode(length), ...tail]), raw: true })) },
      { weight: 1, arbitrary: fc.integer({ min: 3, max: 64 }).map(n => ({ bytes: new Uint8Array(n).fill(0x80), raw: true })) }
    )

    // the attacker reuses a stream until the target ends it, as a client would
    let current: { stream: Stream, lp: LengthPrefixedStream<Stream> } | undefined
    let streamsOpened = 0
    const statuses = new Map<Response.Status, number>()
    const send = async ({ bytes: payload, raw }: Shot): Promise<Response> => {
      if (current === undefined) {
        const stream = await attacker.libp2p.dialProtocol(target.peerId, RECORD_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
        current = { stream, lp: frameStream(stream) }
        streamsOpened++
      }
      const { stream, lp } = current
      const signal = AbortSignal.timeout(5_000)
      try {
        if (raw) {
          stream.send(payload)
        } else {
          await lp.write(payload, { signal })
        }
        const response = Response.decode(await lp.read({ signal }))
        if (response.status === Response.Status.TOO_LARGE || stream.status !== 'open') {
          // the target ends the stream after TOO_LARGE
          stream.abort(new Error('ended by the target'))
          current = undefined
        }
        return response
      } catch (err) {
        stream.abort(err as Error)
        current = undefined
        throw err
      }
    }

    const storedByKey = new Map(records.map(r => [uint8ArrayToString(r.key, 'base64'), r]))
    let sent = 0
    let heapAfterWarmUp = 0
    await fc.assert(fc.asyncProperty(shot, async s => {
      if (++sent === 1_000) {
        heapAfterWarmUp = heapUsed()
      }
      const response = await send(s)
      // Response.decode refuses a status outside the enum; internal errors and BUSY must not happen
      assert.ok(response.status !== Response.Status.ERROR && response.status !== Response.Status.BUSY, `${response.status}: ${response.message}`)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      if (response.record != null) {
        // any record in an answer is one the target holds, unchanged
        const stored = storedByKey.get(uint8ArrayToString(response.record.key, 'base64'))
        assert.ok(stored !== undefined && uint8ArrayEquals(encodeRecord(response.record), encodeRecord(stored)), 'an answer carried a record the target does not hold')
      }
    }), { numRuns: MESSAGES, endOnFailure: true })
    current?.stream.abort(new Error('done'))
    assert.equal(sent, MESSAGES)

    // every outcome the wire can produce was seen, not only one kind of refusal
    for (const status of [Response.Status.OK, Response.Status.NOT_FOUND, Response.Status.INVALID, Response.Status.FORBIDDEN, Response.Status.TOO_LARGE]) {
      assert.ok((statuses.get(status) ?? 0) > 0, `no ${status} among ${JSON.stringify([...statuses])}`)
    }

    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}; streams opened: ${streamsOpened}`)

    // the records are byte for byte what they were
    const after_ = await storedBytes(target)
    assert.equal(after_.size, before_.size)
    for (const [key, bytes] of before_) {
      assert.ok(uint8ArrayEquals(after_.get(key) ?? new Uint8Array(), bytes), `record ${key} changed`)
    }

    // the target still serves, through the ordinary API, from another node
    assert.equal((await nodes[2].getProduct('P-FUZZ-1'))?.name, 'Fuzz 1 v2')
    assert.equal(await nodes[2].getProduct('P-FUZZ-2'), undefined)
    const fresh = await nodes[2].putProduct({ id: 'P-FUZZ-AFTER', name: 'After', price: '1.00', currency: 'EUR' })
    assert.ok(fresh.replicas.map(String).includes(target.peerId.toString()))

    // memory: what 9 000 more messages left behind is small, and the target
    // forgets the attacker once its streams are closed and its rate window over
    const growth = heapUsed() - heapAfterWarmUp
    t.diagnostic(`heap growth after warm-up: ${(growth / 1024 / 1024).toFixed(2)} MiB`)
    assert.ok(growth < 16 * 1024 * 1024, `heap grew by ${(growth / 1024 / 1024).toFixed(1)} MiB over ${MESSAGES - 1_000} messages`)
    const server = (target.products as unknown as { server: RecordServer }).server
    for (let i = 0; i < 40 && server.tracks(attacker.peerId); i++) {
      await sleep(100)
    }
    assert.equal(server.tracks(attacker.peerId), false, 'the target still tracks a peer that went quiet')
    assert.ok(streamsOpened < MESSAGES, 'the stream was never reused')
  })
})
