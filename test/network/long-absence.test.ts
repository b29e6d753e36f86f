/**
 * A node that comes back after longer than the tombstone grace period holds
 * its records back until the network confirms them: a product deleted while
 * it was away, whose tombstones every other node has purged since, does not
 * come back; the others are served again, at their newest version.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProductNode } from '../../src/index.js'
import { heldProducts as held, startNetwork, stopAll, until } from '../helpers/network.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'

// r = 5 on 5 nodes: every node holds every product. Tombstones are purged 4 s after the delete.
const GRACE = 4_000
const OPTIONS: ProductNodeOptions = { replicationFactor: 5, writeQuorum: 2, readQuorum: 2, maintenanceDelay: 200, tombstoneGracePeriod: GRACE }
const PRODUCTS = 10

describe('a node back after longer than the tombstone grace period', () => {
  let others: ProductNode[] = []
  let node: ProductNode | undefined
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'product-dht-absence-'))
    others = await startNetwork(4, OPTIONS)
    node = await createProductNode({ ...OPTIONS, dataDir: dir, bootstrap: others[0].getMultiaddrs().map(String) })
    await until('the node knows the 4 others', () => node!.knownPeers === 4)
    for (let i = 0; i < PRODUCTS; i++) {
      await others[i % 4].putProduct({ id: `AWAY-${i}`, name: `Product ${i}`, price: '3.00', currency: 'EUR' })
    }
    await until(`the node holds all ${PRODUCTS}`, async () => (await held(node!)).size === PRODUCTS)
  })

  after(async () => {
    await stopAll([...others, ...(node === undefined ? [] : [node])])
    await rm(dir, { recursive: true, force: true })
  })

  it('does not bring back a product deleted while it was away, and serves the others at their newest version', async () => {
    await node!.stop()
    node = undefined
    await others[1].deleteProduct('AWAY-5')
    await others[0].putProduct({ id: 'AWAY-0', name: 'Product 0 v2', price: '4.00', currency: 'EUR' })
    // the others purge the tombstone once the grace period is over: no trace of AWAY-5 is left
    await until('every other node purged the tombstone', () => others.every(o => o.status().records === PRODUCTS - 1))

    const removed: string[] = []
    node = await createProductNode({ ...OPTIONS, dataDir: dir, bootstrap: others[0].getMultiaddrs().map(String), start: false })
    node.addEventListener('replica:removed', event => { if (event.detail.reason === 'stale') removed.push(event.detail.id ?? '') })
    await node.start()

    await until('the held-back records were confirmed or dropped', () => node!.status().maintenance.heldBack === 0 && node!.status().records === PRODUCTS - 1)
    assert.equal(node.status().maintenance.droppedStale, 1)
    assert.deepEqual(removed, ['AWAY-5'])
    const names = await held(node)
    assert.equal(names.has('AWAY-5'), false)
    assert.equal(names.get('AWAY-0'), 'Product 0 v2')
    assert.equal(names.get('AWAY-9'), 'Product 9')

    // nothing brought the deleted product back anywhere, after a maintenance pass of every node
    await Promise.all([...others, node].map(async n => n.maintain()))
    for (const n of [...others, node]) {
      assert.equal(await n.getProduct('AWAY-5'), undefined)
      assert.equal((await held(n)).has('AWAY-5'), false)
    }
    assert.equal((await others[2].getProduct('AWAY-9'))?.name, 'Product 9')
  })
})
