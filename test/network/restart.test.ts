/**
 * A node restarted with its data directory rejoins through the record peers
 * it remembers when no bootstrap list is given or none of it answers, serves
 * what it held at once, and catches up on what changed while it was away
 * through anti-entropy, with nobody reading.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LevelDatastore } from 'datastore-level'
import { BootstrapError, createProductNode } from '../../src/index.js'
import { heldProducts as held, startNetwork, stopAll, until } from '../helpers/network.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'

// r = 5 on 5 nodes: the restarted node holds every product
const OPTIONS: ProductNodeOptions = { replicationFactor: 5, writeQuorum: 2, readQuorum: 2, maintenanceDelay: 200 }
const PRODUCTS = 20

/**
 * Empties libp2p's peer store in `dir`, as it is after a long absence:
 * it forgets addresses after an hour and peers after six.
 */
async function forgetPeerStore (dir: string): Promise<void> {
  const store = new LevelDatastore(dir)
  await store.open()
  try {
    for await (const key of store.queryKeys({ prefix: '/peers' })) await store.delete(key)
  } finally {
    await store.close()
  }
}

describe('a node restarted with its data directory and no bootstrap peer to call', () => {
  let others: ProductNode[] = []
  let node: ProductNode | undefined
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'product-dht-restart-'))
    others = await startNetwork(4, OPTIONS)
    node = await createProductNode({ ...OPTIONS, dataDir: dir, bootstrap: others[0].getMultiaddrs().map(String) })
    await until('the node knows the 4 others', () => node!.knownPeers === 4)
    for (let i = 0; i < PRODUCTS; i++) {
      await others[i % 4].putProduct({ id: `RESTART-${i}`, name: `Product ${i}`, price: '5.00', currency: 'EUR' })
    }
    await until(`the node holds all ${PRODUCTS}`, async () => (await held(node!)).size === PRODUCTS)
  })

  after(async () => {
    await stopAll([...others, ...(node === undefined ? [] : [node])])
    await rm(dir, { recursive: true, force: true })
  })

  it('rejoins through the peers it remembers, serves its records at once, and catches up on what changed', async () => {
    await node!.stop()
    node = undefined
    // while it is away: updates, deletes and new products
    for (let i = 0; i < 5; i++) await others[i % 4].putProduct({ id: `RESTART-${i}`, name: `Product ${i} v2`, price: '6.00', currency: 'EUR' })
    for (const i of [5, 6]) await others[i % 4].deleteProduct(`RESTART-${i}`)
    for (let i = PRODUCTS; i < PRODUCTS + 3; i++) await others[1].putProduct({ id: `RESTART-${i}`, name: `Product ${i}`, price: '5.00', currency: 'EUR' })
    await forgetPeerStore(dir)

    node = await createProductNode({ ...OPTIONS, dataDir: dir })
    assert.ok(node.libp2p.getConnections().length >= 1, 'joined through a remembered peer')
    assert.ok(node.status().records >= PRODUCTS, 'holds what it held before, from the start')

    await until('the node caught up through anti-entropy', async () => {
      const names = await held(node!)
      return names.get('RESTART-0') === 'Product 0 v2' && names.get('RESTART-4') === 'Product 4 v2' &&
        !names.has('RESTART-5') && !names.has('RESTART-6') && names.has(`RESTART-${PRODUCTS + 2}`)
    })
    const names = await held(node)
    assert.equal(names.size, PRODUCTS - 2 + 3)
    assert.equal(names.get('RESTART-10'), 'Product 10')
    await until('the node knows the 4 others again', () => node!.knownPeers === 4)
  })

  it('joins through the peers it remembers when its bootstrap peer does not answer', async () => {
    await node!.stop()
    node = undefined
    await forgetPeerStore(dir)
    const nobody = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    // port 1 on loopback refuses at once
    node = await createProductNode({ ...OPTIONS, dataDir: dir, bootstrap: [`/ip4/127.0.0.1/tcp/1/p2p/${nobody.toString()}`] })
    assert.ok(node.libp2p.getConnections().length >= 1, 'joined through a remembered peer')
    const record = await node.getRecord('RESTART-0')
    assert.equal(record?.product.name, 'Product 0 v2')
    assert.equal(await node.getProduct('RESTART-5'), undefined)
  })

  it('starts alone, and says so, when none of the peers it remembers answers', async () => {
    await node!.stop()
    node = undefined
    await stopAll(others)
    others = []
    const warnings: Error[] = []
    const onWarning = (warning: Error): void => { warnings.push(warning) }
    process.on('warning', onWarning)
    try {
      node = await createProductNode({ ...OPTIONS, dataDir: dir, joinTimeout: 5_000 })
      await new Promise(resolve => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    assert.equal(node.libp2p.getConnections().length, 0)
    assert.ok(warnings.some(w => (w as Error & { code?: string }).code === 'PRODUCT_DHT_STARTED_ALONE' && /remembered/.test(w.message)), 'a warning says it runs alone')
    assert.equal((await held(node)).get('RESTART-0'), 'Product 0 v2', 'its records are still there')
  })

  it('rejects with BootstrapError naming the remembered peers too, when neither they nor its bootstrap peer answer', async () => {
    await node!.stop()
    node = undefined
    const nobody = `/ip4/127.0.0.1/tcp/1/p2p/${peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()}`
    const refused = await createProductNode({ ...OPTIONS, dataDir: dir, bootstrap: [nobody], joinTimeout: 5_000 }).then(
      async started => { await started.stop(); return undefined },
      (err: Error) => err)
    assert.ok(refused instanceof BootstrapError, `rejected with ${refused?.name}`)
    assert.equal(refused.failures[0].address, nobody)
    assert.ok(refused.failures.length > 1 && refused.failures.slice(1).every(f => f.reason.startsWith('remembered from the last run')), refused.message)
  })
})
