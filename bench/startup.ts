/**
 * How long N nodes in one process take to be ready (every start resolved:
 * able to put and get) and to settle (the lookups their joins left to the
 * background ended), joining node 0 in batches of JOIN_BATCH at once.
 *
 *   N=50 npm run bench:startup               (JOIN_BATCH=10)
 *   N=50 JOIN_BATCH=49 npm run bench:startup all at once
 *
 * Progress on stderr; one JSON line on stdout.
 */
import { createProductNode } from '../src/index.js'
import type { ProductNode } from '../src/index.js'

const N = Number(process.env.N ?? 50)
const BATCH = Number(process.env.JOIN_BATCH ?? 10)
const seconds = (since: number): number => Math.round((performance.now() - since) / 10) / 100

const started = performance.now()
const nodes: ProductNode[] = [await createProductNode()]
const bootstrap = nodes[0].getMultiaddrs().map(String)
try {
  for (let i = 1; i < N; i += BATCH) {
    nodes.push(...await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, async () => createProductNode({ bootstrap, joinTimeout: 300_000 }))))
    process.stderr.write(`${nodes.length} of ${N} ready after ${seconds(started)} s\n`)
  }
  const ready = seconds(started)
  await Promise.all(nodes.map(async n => n.settled()))
  const settled = seconds(started)
  // each connection counted once (getConnections lists it at both ends)
  const connections = nodes.reduce((sum, n) => sum + n.libp2p.getConnections().length, 0) / 2
  const views = nodes.map(n => n.knownPeers).sort((a, b) => a - b)
  console.log(JSON.stringify({ N, batch: BATCH, ready_s: ready, settled_s: settled, connections, view_min: views[0], view_median: views[Math.floor(views.length / 2)], rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20) }))
} finally {
  await Promise.all(nodes.map(async n => n.stop()))
}
