/**
 * Starts N product nodes in this process (default 50), puts and gets a few
 * products, stops them all while their background work (discovery,
 * announcements, read repair) still runs, and prints one JSON line. Run by
 * many-nodes.test.ts under --unhandled-rejections=strict: any rejection that
 * escapes crashes this process.
 */
import { createProductNode } from '../../src/index.js'
import type { ProductNode } from '../../src/index.js'

const count = Number(process.env.NODES ?? 50)
// as the W1 benchmark starts them: batches of 10 joining through node 0, default options
const BATCH = 10
const nodes: ProductNode[] = []
const started = performance.now()
try {
  nodes.push(await createProductNode())
  const bootstrap = nodes[0].getMultiaddrs().map(String)
  for (let i = 1; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, async () => createProductNode({ bootstrap }))
    nodes.push(...await Promise.all(batch))
  }
  const ready = performance.now() - started
  let found = 0
  for (let i = 0; i < 10; i++) {
    await nodes[1 + (i % (count - 1))].putProduct({ id: `MANY-${i}`, name: `Product ${i}`, price: '1.00', currency: 'EUR' })
  }
  for (let i = 0; i < 10; i++) {
    if ((await nodes[count - 1 - (i % (count - 1))].getProduct(`MANY-${i}`))?.name === `Product ${i}`) found++
  }
  const stopping = performance.now()
  await Promise.all(nodes.map(async node => node.stop()))
  console.log(JSON.stringify({ nodes: nodes.length, ready_s: +(ready / 1000).toFixed(1), found, stop_s: +((performance.now() - stopping) / 1000).toFixed(2) }))
} catch (err) {
  await Promise.allSettled(nodes.map(async node => node.stop()))
  throw err
}
