/**
 * Signed records on real networks: forged and tampered records, owners in an
 * open catalog, a closed catalog's publishers list, compare-and-set, expiry
 * and the purge of tombstones.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { NotOwnerError, UnauthorizedPublisherError, VersionConflictError } from '../../src/index.js'
import { productKey } from '../../src/model/keys.js'
import { Request, Response } from '../../src/model/messages.js'
import { validateProduct } from '../../src/model/product.js'
import { createRecord, encodeRecord } from '../../src/model/record.js'
import { signRecord } from '../../src/model/signature.js'
import { encodeRequest, rawExchange, startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode, ReplicaRemovedEvent } from '../../src/index.js'
import type { WireRecord } from '../../src/model/record.js'
import type { RecordStore } from '../../src/store/record-store.js'
import type { PrivateKey } from '@libp2p/interface'

/** The record `replica` holds for `id`, as raw bytes, asked over the wire by `from`. */
async function heldBytes (from: ProductNode, replica: ProductNode, id: string): Promise<Uint8Array | undefined> {
  if (from === replica) {
    const record = await storeOf(replica).get(productKey(id))
    return record === undefined ? undefined : encodeRecord(record)
  }
  const response = await rawExchange(from, replica.peerId, [encodeRequest({ type: Request.Type.GET, key: productKey(id) })])
  return response?.record == null ? undefined : encodeRecord(response.record)
}

function storeOf (node: ProductNode): RecordStore {
  return (node.products as unknown as { store: RecordStore }).store
}

describe('an open catalog: signatures and owners', () => {
  let nodes: ProductNode[] = []
  let seller: PrivateKey
  const byId = (id: string): ProductNode => nodes.find(n => n.peerId.toString() === id)!

  before(async () => {
    seller = await generateKeyPair('Ed25519')
    // nodes publish with their own keys unless a test says otherwise
    nodes = await startNetwork(6, { tombstoneGracePeriod: 300 })
  })

  after(async () => { await stopAll(nodes) })

  it('refuses a forged record on the wire, and readers skip one a replica holds', async () => {
    const put = await nodes[0].putProduct({ id: 'P-FORGE', name: 'Genuine', price: '10.00', currency: 'EUR' }, { publisherKey: seller })
    const replica = byId(put.replicas.map(String).find(id => id !== nodes[0].peerId.toString())!)
    const before = await heldBytes(nodes[0], replica, 'P-FORGE')

    // the genuine record with a cheaper price and a higher version, signature kept
    const genuine = (await rawExchange(nodes[0], replica.peerId, [encodeRequest({ type: Request.Type.GET, key: productKey('P-FORGE') })]))!.record!
    const forged: WireRecord = { ...genuine, version: 9n, product: { ...genuine.product!, price: '0.01' } }
    const refused = await rawExchange(nodes[0], replica.peerId, [encodeRequest({ type: Request.Type.PUT, key: forged.key, record: forged })])
    assert.equal(refused?.status, Response.Status.INVALID)
    assert.match(refused?.message ?? '', /signature/)
    assert.ok(uint8ArrayEquals((await heldBytes(nodes[0], replica, 'P-FORGE'))!, before!), 'a forged record changed what is stored')

    // slip it past the protocol into one replica's store: readers must not return it
    await storeOf(replica).put(forged)
    for (const reader of nodes) {
      const record = await reader.getRecord('P-FORGE')
      assert.equal(record?.product.price, '10.00', `${reader.peerId} returned a forged price`)
      assert.equal(String(record?.publisher), peerIdFromPrivateKey(seller).toString())
    }
  })

  it('lets only the owner update or delete, from any node, and leaves the record unchanged otherwise', async () => {
    const put = await nodes[1].putProduct({ id: 'P-OWNED', name: 'Mine', price: '5.00', currency: 'EUR' }, { publisherKey: seller })
    const replica = byId(put.replicas.map(String)[0])
    const before = await heldBytes(nodes[2], replica, 'P-OWNED')

    const thief = nodes[3]
    const error = await thief.putProduct({ id: 'P-OWNED', name: 'Stolen', price: '0.01', currency: 'EUR' }).catch(err => err)
    assert.ok(error instanceof NotOwnerError, String(error))
    assert.equal(String(error.owner), peerIdFromPrivateKey(seller).toString())
    await assert.rejects(thief.deleteProduct('P-OWNED'), NotOwnerError)
    assert.ok(uint8ArrayEquals((await heldBytes(nodes[2], replica, 'P-OWNED'))!, before!))
    assert.equal((await nodes[4].getProduct('P-OWNED'))?.name, 'Mine')

    // the seller's key works from another node
    const update = await nodes[5].putProduct({ id: 'P-OWNED', name: 'Mine, v2', price: '6.00', currency: 'EUR' }, { publisherKey: seller })
    assert.equal(update.version, 2)
    assert.equal((await nodes[0].getProduct('P-OWNED'))?.name, 'Mine, v2')
  })

  it('refuses a replayed older version and a stale put after a delete', async () => {
    const first = await nodes[2].putProduct({ id: 'P-REPLAY', name: 'v1', price: '1.00', currency: 'EUR' })
    const holder = byId(first.replicas.map(String)[0])
    const replay = (await rawExchange(nodes.find(n => n !== holder)!, holder.peerId, [encodeRequest({ type: Request.Type.GET, key: productKey('P-REPLAY') })]))!.record!
    await nodes[2].putProduct({ id: 'P-REPLAY', name: 'v2', price: '2.00', currency: 'EUR' })
    const deleted = await nodes[2].deleteProduct('P-REPLAY')
    assert.equal(deleted.version, 3)
    for (const id of deleted.replicas.map(String)) {
      const sender = nodes.find(n => n.peerId.toString() !== id)!
      const response = await rawExchange(sender, byId(id).peerId, [encodeRequest({ type: Request.Type.PUT, key: replay.key, record: replay })])
      assert.equal(response?.status, Response.Status.STALE)
    }
    assert.equal(await nodes[4].getProduct('P-REPLAY'), undefined)
  })

  it('compare-and-set: of two writers on one version exactly one wins, and a stale expectation changes nothing', async () => {
    // writers that see the same replica set (writers with different views can both count W: see the README)
    for (let i = 0; i < 100 && nodes.some(n => n.knownPeers < nodes.length - 1); i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.deepEqual(nodes.map(n => n.knownPeers), nodes.map(() => nodes.length - 1), 'every node knows every other')
    const first = await nodes[0].putProduct({ id: 'P-CAS', name: 'v1', price: '1.00', currency: 'EUR' }, { publisherKey: seller })
    assert.equal(first.version, 1)
    const results = await Promise.allSettled([
      nodes[1].putProduct({ id: 'P-CAS', name: 'from 1', price: '2.00', currency: 'EUR' }, { publisherKey: seller, expectedVersion: 1 }),
      nodes[4].putProduct({ id: 'P-CAS', name: 'from 4', price: '3.00', currency: 'EUR' }, { publisherKey: seller, expectedVersion: 1 })
    ])
    const won = results.filter(r => r.status === 'fulfilled')
    const lost = results.filter(r => r.status === 'rejected')
    assert.equal(won.length, 1, JSON.stringify(results.map(r => r.status === "fulfilled" ? r.value : String(r.reason))))
    assert.ok(lost[0].reason instanceof VersionConflictError, String(lost[0].reason))
    const winner = results[0].status === 'fulfilled' ? 'from 1' : 'from 4'
    // 2, or 3 where the winner sealed its version over the loser's copies, or
    // higher where both counted W and their seals met (seen once in CI, with
    // views that held every node: the README's caveat is not the whole story)
    const version = (won[0] as PromiseFulfilledResult<{ version: number }>).value.version
    assert.ok(version >= 2 && version <= 5, String(version))
    for (const reader of nodes) {
      assert.equal((await reader.getRecord('P-CAS'))?.product.name, winner)
    }

    const stale = await nodes[2].putProduct({ id: 'P-CAS', name: 'late', price: '9.00', currency: 'EUR' }, { publisherKey: seller, expectedVersion: 1 }).catch(err => err)
    assert.ok(stale instanceof VersionConflictError)
    assert.equal(stale.currentVersion, version)
    assert.equal((await nodes[3].getProduct('P-CAS'))?.name, winner)

    // 0: only if it does not exist
    await assert.rejects(nodes[2].putProduct({ id: 'P-CAS', name: 'new?', price: '1.00', currency: 'EUR' }, { publisherKey: seller, expectedVersion: 0 }), VersionConflictError)
    const created = await nodes[2].putProduct({ id: 'P-CAS-NEW', name: 'new', price: '1.00', currency: 'EUR' }, { expectedVersion: 0 })
    assert.equal(created.version, 1)
  })

  it('returns nothing for an expired product, and purges tombstones after the grace period', async () => {
    await nodes[1].putProduct({ id: 'P-EXPIRES', name: 'Flash sale', price: '1.00', currency: 'EUR' }, { expiresAt: Date.now() + 400 })
    assert.equal((await nodes[2].getProduct('P-EXPIRES'))?.name, 'Flash sale')
    await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(await nodes[2].getProduct('P-EXPIRES'), undefined)

    await nodes[1].putProduct({ id: 'P-PURGE', name: 'Gone soon', price: '1.00', currency: 'EUR' })
    const removed: ReplicaRemovedEvent[] = []
    const onRemoved = (event: CustomEvent<ReplicaRemovedEvent>): void => { removed.push(event.detail) }
    for (const node of nodes) node.addEventListener('replica:removed', onRemoved)
    const deleted = await nodes[1].deleteProduct('P-PURGE')
    const replica = byId(deleted.replicas.map(String)[0])
    // every replica that took the tombstone says the product is gone from it
    assert.deepEqual(removed.filter(e => e.reason === 'deleted' && e.key === deleted.key).map(e => [e.version, String(e.from)]),
      deleted.replicas.map(() => [2, nodes[1].peerId.toString()]))
    // purging runs every grace period (300 ms here): wait for it, bounded
    let held: Uint8Array | undefined = new Uint8Array(1)
    for (let i = 0; i < 50 && held !== undefined; i++) {
      await new Promise(resolve => setTimeout(resolve, 100))
      held = await heldBytes(nodes[0], replica, 'P-PURGE')
    }
    assert.equal(held, undefined, 'the tombstone was not purged')
    assert.ok(removed.some(e => e.reason === 'purged' && e.key === deleted.key), 'no replica:removed event for the purge')
    for (const node of nodes) node.removeEventListener('replica:removed', onRemoved)
  })
})

describe('a closed catalog', () => {
  let nodes: ProductNode[] = []
  let seller: PrivateKey
  let outsider: PrivateKey

  before(async () => {
    seller = await generateKeyPair('Ed25519')
    outsider = await generateKeyPair('Ed25519')
    // the nodes' own keys are not listed: only the seller's key publishes
    nodes = await startNetwork(4, { publishers: [peerIdFromPrivateKey(seller).toString()] })
  })

  after(async () => { await stopAll(nodes) })

  it('publishes with a listed key and refuses any other, before and on the wire', async () => {
    const put = await nodes[0].putProduct({ id: 'P-CLOSED', name: 'Listed', price: '4.00', currency: 'EUR' }, { publisherKey: seller })
    assert.equal(String(put.publisher), peerIdFromPrivateKey(seller).toString())

    // the node's own key is not listed: refused before anything is sent
    await assert.rejects(nodes[1].putProduct({ id: 'P-CLOSED-2', name: 'Mine', price: '1.00', currency: 'EUR' }), UnauthorizedPublisherError)

    // an outsider's well-signed record sent straight to a replica
    const replica = nodes.find(n => n.peerId.toString() === put.replicas.map(String)[0])!
    // sent from another node (placement is random: the replica may be any of them)
    const sender = nodes.find(n => n !== replica)!
    const before = await heldBytes(sender, replica, 'P-CLOSED')
    const key = productKey('P-CLOSED')
    const record = await signRecord(createRecord(key, validateProduct({ id: 'P-CLOSED', name: 'Hijack', price: '0.01', currency: 'EUR' }), 5n, Date.now()), outsider)
    const response = await rawExchange(sender, replica.peerId, [encodeRequest({ type: Request.Type.PUT, key, record })])
    assert.equal(response?.status, Response.Status.FORBIDDEN)
    assert.ok(uint8ArrayEquals((await heldBytes(sender, replica, 'P-CLOSED'))!, before!))

    // readers ignore it even where it got into a store
    await storeOf(replica).put(record)
    assert.equal((await nodes[2].getProduct('P-CLOSED'))?.name, 'Listed')
  })
})
