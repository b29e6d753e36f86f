/**
 * How long N nodes in one process take to be ready (every start resolved:
 * able to put and get) and to settle (the lookups their joins left to the
 * background ended), joining node 0 in batches of JOIN_BATCH at once; and
 * whether ready means usable: right after the last start resolved, CHECK
 * products are put from random nodes and read back from others (found), and
 * the true replica sets (the r nodes nearest each key, of all N) are
 * counted for the copies they hold once the network settled (placed).
 *
 *   N=50 npm run bench:startup               (JOIN_BATCH=10, CHECK=100)
 *   N=50 JOIN_BATCH=49 npm run bench:startup all at once
 *
 * Progress on stderr; one JSON line on stdout.
 */
import { compareDistance, keyPosition, peerPosition, productKey } from '../src/model/keys.js'
import { createProductNode } from '../src/index.js'
import type { ProductNode } from '../src/index.js'

const N = Number(process.env.N ?? 50)
const BATCH = Number(process.env.JOIN_BATCH ?? 10)
const CHECK = Number(process.env.CHECK ?? 100)
/** replicas per key, as createProductNode's default */
const R = 3
const seconds = (since: number): number => Math.round((performance.now() - since) / 10) / 100

/** A deterministic pick among `count` (runs compare the same pattern). */
let seed = 1
const pick = (count: number): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed % count
}

const started = performance.now()
const nodes: ProductNode[] = [await createProductNode()]
const bootstrap = nodes[0].getMultiaddrs().map(String)
process.stderr.write(`1 of ${N} ready after ${seconds(started)} s\n`)
try {
  for (let i = 1; i < N; i += BATCH) {
    nodes.push(...await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, async () => createProductNode({ bootstrap, joinTimeout: 300_000 }))))
    process.stderr.write(`${nodes.length} of ${N} ready after ${seconds(started)} s\n`)
  }
  const ready = seconds(started)
  // usable at once: puts from random nodes, each read back from another
  const ids = Array.from({ length: CHECK }, (_, i) => `STARTUP-${i}`)
  let found = 0
  // all at once, so that they run before the background lookups change the views
  const writers = ids.map(() => pick(N))
  const readers = ids.map(() => pick(N))
  await Promise.all(ids.map(async (id, i) => nodes[writers[i]].putProduct({ id, name: id, price: '1.00', currency: 'EUR' })))
  await Promise.all(ids.map(async (id, i) => {
    if ((await nodes[readers[i]].getProduct(id))?.name === id) found++
  }))
  const checked = seconds(started)
  const placedAtOnce = await placed(ids)
  await Promise.all(nodes.map(async n => n.settled()))
  const settled = seconds(started)
  const placedSettled = await placed(ids)
  // each connection counted once (getConnections lists it at both ends)
  const connections = nodes.reduce((sum, n) => sum + n.libp2p.getConnections().length, 0) / 2
  const views = nodes.map(n => n.knownPeers).sort((a, b) => a - b)
  console.log(JSON.stringify({
    N,
    batch: BATCH,
    ready_s: ready,
    settled_s: settled,
    found: `${found}/${CHECK}`,
    placed: `${placedAtOnce}/${CHECK * R}`,
    placed_settled: `${placedSettled}/${CHECK * R}`,
    check_s: Math.round((checked - ready) * 100) / 100,
    connections,
    view_min: views[0],
    view_median: views[Math.floor(views.length / 2)],
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20)
  }))
} finally {
  await Promise.all(nodes.map(async n => n.stop()))
}

/** Copies of `ids` that the nodes of each key's true replica set (the R nearest of all N) hold now. */
async function placed (ids: string[]): Promise<number> {
  const held = await Promise.all(nodes.map(async n => {
    const mine = new Set<string>()
    for await (const product of n.localProducts()) mine.add(product.id)
    return mine
  }))
  const positions = nodes.map(n => peerPosition(n.peerId))
  let count = 0
  for (const id of ids) {
    const target = keyPosition(productKey(id))
    const order = nodes.map((_, i) => i).sort((a, b) => compareDistance(target, positions[a], positions[b]))
    count += order.slice(0, R).filter(i => held[i].has(id)).length
  }
  return count
}
