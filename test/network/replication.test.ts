/**
 * A 12-node network on 127.0.0.1: placement, reads from every node, versions,
 * deletes, hostile messages and a replica holder going away.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { QuorumError } from '../../src/index.js'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createRecord, encodeRecord } from '../../src/model/record.js'
import { signRecord } from '../../src/model/signature.js'
import { validateProduct } from '../../src/model/product.js'
import { encodeRequest, expectedReplicas, rawExchange, startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode } from '../../src/index.js'
import type { PrivateKey } from '@libp2p/interface'

const R = 3

describe('a 12-node network', () => {
  let nodes: ProductNode[] = []
  // one seller publishes from every node: the key travels, the nodes are interchangeable
  let seller: PrivateKey
  const byId = (id: string): ProductNode => {
    const node = nodes.find(n => n.peerId.toString() === id)
    assert.ok(node, `no node ${id}`)
    return node
  }

  before(async () => {
    seller = await generateKeyPair('Ed25519')
    // maintenance waits past these tests: the read-repair test makes a stale replica on purpose
    nodes = await startNetwork(12, { publisherKey: seller, maintenanceDelay: 600_000 })
  })

  after(async () => {
    await stopAll(nodes)
  })

  it('stores a product on exactly the r closest record peers and reads it from every node', async () => {
    const result = await nodes[1].putProduct({ id: 'P001', name: 'Widget', price: 99.99, currency: 'EUR' })
    const expected = expectedReplicas('P001', nodes.map(n => n.peerId), R)
    assert.deepEqual(result.replicas.map(String).sort(), [...expected].sort())
    assert.equal(result.version, 1)
    assert.deepEqual(result.failed, [])

    for (const node of nodes) {
      const record = await node.getRecord('P001')
      assert.ok(record, `node ${node.peerId} did not find P001`)
      assert.deepEqual(record.product, { id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR' })
      assert.equal(record.version, 1)
      assert.ok(record.answered >= 2)
    }
  })

  it('places many products on their own replica sets', async () => {
    for (let i = 0; i < 10; i++) {
      const id = `SKU-${i}`
      const writer = nodes[(i * 5) % nodes.length]
      const result = await writer.putProduct({ id, name: `Item ${i}`, price: `${i}.50`, currency: 'USD', tags: ['t'] })
      assert.deepEqual(result.replicas.map(String).sort(), [...expectedReplicas(id, nodes.map(n => n.peerId), R)].sort(), id)
      const holders = []
      for (const node of nodes) {
        for await (const product of node.localProducts()) {
          if (product.id === id) holders.push(node.peerId.toString())
        }
      }
      assert.deepEqual(holders.sort(), result.replicas.map(String).sort(), `${id} is held only by its replicas`)
      const reader = nodes[(i * 7 + 3) % nodes.length]
      assert.equal((await reader.getProduct(id))?.price, `${i}.50`)
    }
  })

  it('returns undefined for a product nobody stored', async () => {
    assert.equal(await nodes[7].getProduct('NOBODY-STORED-THIS'), undefined)
    assert.equal(await nodes[2].getRecord('NOBODY-STORED-THIS'), undefined)
  })

  it('updates with a higher version, and an older version never overwrites a newer one', async () => {
    const first = await nodes[3].putProduct({ id: 'P-VER', name: 'v1', price: '1.00', currency: 'EUR' })
    // a different node, which has never seen the product, updates it: it must build on version 1
    const second = await nodes[9].putProduct({ id: 'P-VER', name: 'v2', price: '2.00', currency: 'EUR' })
    assert.equal(first.version, 1)
    assert.equal(second.version, 2)

    // replay version 1 straight at every replica
    const key = productKey('P-VER')
    const old = await signRecord(createRecord(key, validateProduct({ id: 'P-VER', name: 'v1', price: '1.00', currency: 'EUR' }), 1n, Date.now() + 60_000), seller)
    for (const replica of second.replicas.map(String)) {
      const sender = nodes.find(n => n.peerId.toString() !== replica)!
      const response = await rawExchange(sender, byId(replica).peerId, [encodeRequest({ type: Request.Type.PUT, key, record: old })])
      assert.equal(response?.status, Response.Status.STALE)
      assert.equal(response?.record?.version, 2n)
    }
    const record = await nodes[5].getRecord('P-VER')
    assert.equal(record?.product.name, 'v2')
    assert.equal(record?.version, 2)
    assert.equal(record?.agreed, record?.answered)
  })

  it('deletes with a tombstone that a delayed older put cannot undo', async () => {
    await nodes[4].putProduct({ id: 'P-DEL', name: 'Doomed', price: '3.00', currency: 'GBP' })
    const deleted = await nodes[6].deleteProduct('P-DEL')
    assert.equal(deleted.version, 2)
    for (const node of nodes) {
      assert.equal(await node.getProduct('P-DEL'), undefined)
    }
    const key = productKey('P-DEL')
    const delayed = await signRecord(createRecord(key, validateProduct({ id: 'P-DEL', name: 'Doomed', price: '3.00', currency: 'GBP' }), 1n, Date.now()), seller)
    for (const replica of deleted.replicas.map(String)) {
      const sender = nodes.find(n => n.peerId.toString() !== replica)!
      const response = await rawExchange(sender, byId(replica).peerId, [encodeRequest({ type: Request.Type.PUT, key, record: delayed })])
      assert.equal(response?.status, Response.Status.STALE)
    }
    assert.equal(await nodes[8].getProduct('P-DEL'), undefined)
    for (const node of nodes) {
      for await (const product of node.localProducts()) {
        assert.notEqual(product.id, 'P-DEL')
      }
    }
  })

  it('repairs a replica that held an older version when the product is read', async () => {
    const put = await nodes[2].putProduct({ id: 'P-REPAIR', name: 'v1', price: '1.00', currency: 'EUR' })
    const key = productKey('P-REPAIR')
    const v2 = await signRecord(createRecord(key, validateProduct({ id: 'P-REPAIR', name: 'v2', price: '2.00', currency: 'EUR' }), 2n, Date.now()), seller)
    // the closest replica goes stale: a read asks R of the r first, the closest among them
    const [staleId] = expectedReplicas('P-REPAIR', put.replicas, put.replicas.length)
    const stale = byId(staleId)
    const fresh = put.replicas.map(String).filter(id => id !== staleId).map(byId)
    const senderFor = (replica: ProductNode): ProductNode => nodes.find(n => n !== replica)!
    for (const replica of fresh) {
      const response = await rawExchange(senderFor(replica), replica.peerId, [encodeRequest({ type: Request.Type.PUT, key, record: v2 })])
      assert.equal(response?.status, Response.Status.OK)
    }
    const versionOn = async (replica: ProductNode): Promise<bigint | undefined> =>
      (await rawExchange(senderFor(replica), replica.peerId, [encodeRequest({ type: Request.Type.GET, key })]))?.record?.version
    assert.equal(await versionOn(stale), 1n)

    const reader = nodes.find(n => !put.replicas.map(String).includes(n.peerId.toString()))!
    const repairsBefore = reader.status().readRepairs
    const record = await reader.getRecord('P-REPAIR')
    assert.equal(record?.version, 2)
    assert.equal(record?.product.name, 'v2')

    // the repair runs after the read has returned: wait for it, bounded
    let repaired: bigint | undefined
    for (let i = 0; i < 100 && repaired !== 2n; i++) {
      await new Promise(resolve => setTimeout(resolve, 20))
      repaired = await versionOn(stale)
    }
    assert.equal(repaired, 2n, 'the stale replica was not repaired')
    // counted once the replica's answer is back
    for (let i = 0; i < 100 && reader.status().readRepairs === repairsBefore; i++) await new Promise(resolve => setTimeout(resolve, 20))
    assert.ok(reader.status().readRepairs > repairsBefore, 'the reader counts its repair')
  })

  it('answers hostile messages with a status, keeps serving and keeps its data byte for byte', async () => {
    await nodes[2].putProduct({ id: 'P-HOSTILE', name: 'Target', price: '5.00', currency: 'EUR' })
    const key = productKey('P-HOSTILE')
    const target = byId(expectedReplicas('P-HOSTILE', nodes.map(n => n.peerId), R).find(p => p !== nodes[0].peerId.toString())!)
    const attacker = nodes[0]
    const rawGet = async (): Promise<Uint8Array> => {
      const response = await rawExchange(attacker, target.peerId, [encodeRequest({ type: Request.Type.GET, key })])
      assert.equal(response?.status, Response.Status.OK)
      return encodeRecord(response.record!)
    }
    const before = await rawGet()

    const garbage = await rawExchange(attacker, target.peerId, [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])])
    assert.equal(garbage?.status, Response.Status.INVALID)

    // type 7 does not exist: field 1 (varint) = 7, then field 2 (bytes) = the key
    const unknownType = await rawExchange(attacker, target.peerId, [new Uint8Array([0x08, 0x07, 0x12, key.length, ...key])])
    assert.equal(unknownType?.status, Response.Status.INVALID)

    const badKey = await rawExchange(attacker, target.peerId, [encodeRequest({ type: Request.Type.GET, key: new Uint8Array(5) })])
    assert.equal(badKey?.status, Response.Status.INVALID)

    // a record whose product id does not hash to the key it is sent under
    const other = await signRecord(createRecord(productKey('P-OTHER'), validateProduct({ id: 'P-OTHER', name: 'X', price: '1.00', currency: 'EUR' }), 99n, Date.now()), seller)
    const mismatch = await rawExchange(attacker, target.peerId, [encodeRequest({ type: Request.Type.PUT, key, record: { ...other, key } })])
    assert.equal(mismatch?.status, Response.Status.INVALID)

    const noRecord = await rawExchange(attacker, target.peerId, [encodeRequest({ type: Request.Type.PUT, key })])
    assert.equal(noRecord?.status, Response.Status.INVALID)

    // a length prefix of 1 MiB: refused before anything is buffered
    const oversized = await rawExchange(attacker, target.peerId, [new Uint8Array([0x80, 0x80, 0x40, 1, 2, 3])], { prefixed: false })
    assert.ok(oversized === undefined || oversized.status === Response.Status.TOO_LARGE)

    // a sender that opens a stream and sends nothing is cut off by the timeout, not waited on forever
    const stream = await attacker.libp2p.dialProtocol(target.peerId, '/product-dht/record/1.0.0')
    stream.abort(new Error('gone'))

    assert.ok(uint8ArrayEquals(await rawGet(), before), 'stored record changed')
    assert.equal((await nodes[11].getProduct('P-HOSTILE'))?.name, 'Target')
  })

  it('reads and writes with a replica holder stopped', async () => {
    const put = await nodes[5].putProduct({ id: 'P-CHURN', name: 'Survivor', price: '7.00', currency: 'EUR' })
    const victimId = put.replicas.map(String).find(p => p !== nodes[0].peerId.toString() && p !== nodes[5].peerId.toString() && p !== nodes[10].peerId.toString())
    assert.ok(victimId)
    const victim = byId(victimId)
    await victim.stop()
    nodes = nodes.filter(n => n !== victim)

    const record = await nodes.find(n => n.peerId.toString() !== victimId && !put.replicas.map(String).includes(n.peerId.toString()))!.getRecord('P-CHURN')
    assert.equal(record?.product.name, 'Survivor')

    // a write lands on r live peers: the dead one is replaced by the next closest
    const update = await nodes[5].putProduct({ id: 'P-CHURN', name: 'Survivor 2', price: '8.00', currency: 'EUR' })
    assert.equal(update.replicas.map(String).length, R)
    assert.ok(!update.replicas.map(String).includes(victimId))
    assert.deepEqual(update.replicas.map(String).sort(), expectedReplicas('P-CHURN', nodes.map(n => n.peerId), R).sort())
    assert.equal((await nodes[10].getProduct('P-CHURN'))?.name, 'Survivor 2')
  })

  it('rejects with QuorumError, not "not found", when too few replicas can be reached', async () => {
    // stop every node but two: a put needs W = 2 acks from the r = 3 closest, a get R = 2 answers
    const keep = nodes.slice(0, 1)
    const rest = nodes.slice(1)
    await stopAll(rest)
    nodes = keep
    await assert.rejects(nodes[0].putProduct({ id: 'P-LONELY', name: 'Alone', price: '1.00', currency: 'EUR' }), (err: unknown) => {
      assert.ok(err instanceof QuorumError)
      assert.equal(err.name, 'QuorumError')
      assert.equal(err.needed, 2)
      assert.equal(err.succeeded, 1)
      assert.match(err.message, /Join more peers|lower the quorum/)
      return true
    })
    await assert.rejects(nodes[0].getRecord('P001'), { name: 'QuorumError' })
  })
})
