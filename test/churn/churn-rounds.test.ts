/**
 * Churn: 20 nodes holding 500 products (r = 3, W = 2, R = 2). In rounds,
 * r − 1 holders of one product stop at once and two fresh nodes join, and
 * nobody reads in between: replica maintenance alone must put every product
 * back on r live peers. After each round, every live node reads its share
 * of the products, each product from READERS nodes, and gets its latest
 * version.
 *
 * Part of `npm test`, with READERS = 4 (2 000 reads a round); `npm run
 * test:churn` runs it alone with every node reading every product (10 000
 * reads a round, 30–90 s each on a 2-core machine).
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createProductNode } from '../../src/index.js'
import { startNetwork, stopAll } from '../helpers/network.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'

const NODES = 20
const PRODUCTS = 500
const UPDATED = 50
const ROUNDS = 3
const R = 3
/** nodes that read each product after a round (CHURN_READERS: a number, or 'all') */
const READERS = process.env.CHURN_READERS === 'all' ? Infinity : Number(process.env.CHURN_READERS ?? 4)
// maintenance acts 200–400 ms after a change; sweeps every 5 s catch what that missed
const OPTIONS: ProductNodeOptions = { maintenanceDelay: 200, maintenanceInterval: 5_000 }
const SETTLE_LIMIT = 60_000

/** How many live nodes hold each product (deleted ones left out). */
async function holders (nodes: ProductNode[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const node of nodes) {
    for await (const product of node.localProducts()) counts.set(product.id, (counts.get(product.id) ?? 0) + 1)
  }
  return counts
}

async function underReplicated (nodes: ProductNode[]): Promise<string[]> {
  const counts = await holders(nodes)
  const short: string[] = []
  for (let i = 0; i < PRODUCTS; i++) {
    if ((counts.get(`CHURN-${i}`) ?? 0) < R) short.push(`CHURN-${i}`)
  }
  return short
}

/** Runs `tasks` `width` at a time. */
async function inParallel <T> (items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await task(items[next++])
  }))
}

describe('churn: r − 1 holders leave at once, fresh nodes join, nobody reads', () => {
  let live: ProductNode[] = []
  const stopped: ProductNode[] = []
  const versions = new Map<string, number>()

  before(async () => {
    live = await startNetwork(NODES, OPTIONS)
    const ids = Array.from({ length: PRODUCTS }, (_, i) => `CHURN-${i}`)
    // in an open catalog the node that first put a product owns it: it also updates it
    const owner = (id: string): ProductNode => live[Number(id.split('-')[1]) % NODES]
    await inParallel(ids, 16, async id => {
      versions.set(id, (await owner(id).putProduct({ id, name: `Product ${id}`, price: '10.00', currency: 'EUR' })).version)
    })
    await inParallel(ids.slice(0, UPDATED), 16, async id => {
      versions.set(id, (await owner(id).putProduct({ id, name: `Product ${id} (updated)`, price: '12.50', currency: 'EUR' })).version)
    })
  })

  after(async () => {
    await stopAll(live)
  })

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: every product back on ${R} live peers, and readable at its latest version from every node`, async t => {
      // r − 1 of the nodes that hold one product stop at once
      const target = `CHURN-${(round * 97) % PRODUCTS}`
      const holding: ProductNode[] = []
      for (const node of live) {
        for await (const product of node.localProducts()) {
          if (product.id === target) { holding.push(node); break }
        }
      }
      assert.ok(holding.length >= R, `${target} held by ${holding.length} nodes before the round`)
      const leaving = holding.slice(0, R - 1)
      live = live.filter(node => !leaving.includes(node))
      await stopAll(leaving)
      stopped.push(...leaving)
      const bootstrap = live[0].getMultiaddrs().map(String)
      live.push(...await Promise.all([createProductNode({ ...OPTIONS, bootstrap }), createProductNode({ ...OPTIONS, bootstrap })]))

      // nobody reads: wait for maintenance alone to put every product back on r live peers
      const started = performance.now()
      let short = await underReplicated(live)
      while (short.length > 0 && performance.now() - started < SETTLE_LIMIT) {
        await new Promise(resolve => setTimeout(resolve, 500))
        short = await underReplicated(live)
      }
      const seconds = (performance.now() - started) / 1000
      t.diagnostic(`re-replication after ${R - 1} holders left and 2 nodes joined took ${seconds.toFixed(1)} s`)
      assert.deepEqual(short, [], `under-replicated after ${SETTLE_LIMIT / 1000} s: ${short.slice(0, 10).join(', ')}`)

      // now the live nodes read the products at their latest versions: each
      // product from READERS of them in turn, so that every node reads a share
      const wrong: string[] = []
      const readers = Math.min(READERS, live.length)
      const reads = [...versions.keys()].flatMap((id, i) => Array.from({ length: readers }, (_, k) => ({ node: live[(i * readers + k) % live.length], id })))
      const reading = performance.now()
      await inParallel(reads, 16, async ({ node, id }) => {
        const record = await node.getRecord(id, { signal: AbortSignal.timeout(20_000) })
        if (record?.version !== versions.get(id)) wrong.push(`${id}@${node.peerId.toString().slice(-6)}: ${record?.version ?? 'not found'}`)
      })
      t.diagnostic(`${reads.length} reads took ${((performance.now() - reading) / 1000).toFixed(1)} s`)
      assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} reads wrong`)
    })
  }

  it('says what maintenance did', () => {
    const moved = live.reduce((n, node) => n + node.status().maintenance.pushed, 0)
    assert.ok(moved > 0, 'maintenance pushed records')
    assert.ok(live.every(node => node.status().records > 0))
  })
})
