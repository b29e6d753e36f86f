/**
 * What a node costs in memory when many share one process (issue 13, part 4).
 *
 *   N=100 npm run bench:memory        (JOIN_BATCH=10 OPS=200 IDLE=10000)
 *
 * Starts N nodes joining node 0 in batches, waits until they settled, puts
 * OPS products from random nodes and reads each from another, waits IDLE ms,
 * then measures the process: resident memory (RSS) over N, and the part of it
 * the nodes added to what the process held before the first one started
 * (modules loaded, nothing running), after a full garbage collection so that
 * garbage not yet collected does not count as a node's. Also the V8 heap in
 * use and committed, connections per node, and the CPU the idle nodes spent
 * while it waited (ms per second, all nodes together). Progress on stderr; one JSON
 * line on stdout.
 */
import { getHeapSpaceStatistics } from 'node:v8'
import { createProductNode } from '../src/index.js'
import type { ProductNode } from '../src/index.js'

function whole (name: string, fallback: number, min: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}; got ${process.env[name]}`)
  return value
}

const N = whole('N', 100, 2)
const BATCH = whole('JOIN_BATCH', 10, 1)
const OPS = whole('OPS', 200, 0)
const IDLE = whole('IDLE', 10_000, 0)
const MB = 2 ** 20
const round = (x: number, places = 1): number => Math.round(x * 10 ** places) / 10 ** places
const seconds = (since: number): number => round((performance.now() - since) / 1000, 2)

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench:memory does)')

interface Sample { rss: number, heapUsed: number, heapCommitted: number, external: number }

/** The process's memory after a full collection, in MB. */
function collected (): Sample {
  gc!()
  gc!()
  const m = process.memoryUsage()
  return { rss: m.rss / MB, heapUsed: m.heapUsed / MB, heapCommitted: m.heapTotal / MB, external: m.external / MB }
}

const base = collected()
const started = performance.now()
let peakRss = 0
const notePeak = (): void => { peakRss = Math.max(peakRss, process.memoryUsage().rss / MB) }
const nodes: ProductNode[] = [await createProductNode()]
const bootstrap = nodes[0].getMultiaddrs().map(String)
try {
  for (let i = 1; i < N; i += BATCH) {
    nodes.push(...await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, async () => createProductNode({ bootstrap, joinTimeout: 300_000 }))))
    notePeak()
    process.stderr.write(`${nodes.length} of ${N} ready after ${seconds(started)} s, RSS ${round(process.memoryUsage().rss / MB, 0)} MB\n`)
  }
  await Promise.all(nodes.map(async n => n.settled()))
  const settled = seconds(started)
  notePeak()

  const pick = (i: number): ProductNode => nodes[(i * 7919) % nodes.length]
  let found = 0
  for (let i = 0; i < OPS; i++) {
    await pick(i).putProduct({ id: `MEM-${i}`, name: `Product ${i}`, price: '9.99', currency: 'EUR', tags: ['bench'] })
  }
  for (let i = 0; i < OPS; i++) {
    if (await pick(i + 1).getProduct(`MEM-${i}`) !== undefined) found++
  }
  notePeak()
  process.stderr.write(`settled after ${settled} s; ${OPS} puts and gets done (${found} found); idle for ${IDLE} ms\n`)
  // what the nodes cost while nobody asks them anything: timers, keep-alives, DHT upkeep
  const idleCpu = process.cpuUsage()
  await new Promise(resolve => setTimeout(resolve, IDLE))
  const idleUsed = process.cpuUsage(idleCpu)
  process.stderr.write('idle done\n')
  const loaded = process.memoryUsage().rss / MB
  const after = collected()
  const oldSpace = getHeapSpaceStatistics().find(s => s.space_name === 'old_space')
  const connectionEnds = nodes.reduce((sum, n) => sum + n.libp2p.getConnections().length, 0)
  console.log(JSON.stringify({
    N,
    batch: BATCH,
    ops: OPS,
    found,
    settled_s: settled,
    connections_per_node: round(connectionEnds / N),
    base_rss_mb: round(base.rss),
    peak_rss_mb: round(peakRss),
    rss_before_gc_mb: round(loaded),
    rss_mb: round(after.rss),
    rss_per_node_mb: round(after.rss / N, 2),
    added_rss_per_node_mb: round((after.rss - base.rss) / N, 2),
    heap_used_per_node_mb: round((after.heapUsed - base.heapUsed) / N, 2),
    heap_committed_mb: round(after.heapCommitted),
    old_space_used_mb: round((oldSpace?.space_used_size ?? 0) / MB),
    old_space_committed_mb: round((oldSpace?.space_size ?? 0) / MB),
    external_per_node_mb: round((after.external - base.external) / N, 2),
    idle_cpu_ms_per_s: IDLE === 0 ? undefined : round((idleUsed.user + idleUsed.system) / 1000 / (IDLE / 1000), 1)
  }))
} finally {
  await Promise.all(nodes.map(async n => n.stop()))
}
