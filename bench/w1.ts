/**
 * Benchmark workload W1 (../shared/bench/WORKLOAD.md) on product-dht and, in
 * the same run as a baseline, on @libp2p/kad-dht's own put/get with a
 * validator and selector for a `/product/` namespace.
 *
 *   npm run bench                       N=20, OPS=1000, CONC=32
 *   N=50 OPS=1000 npm run bench
 *   N=100 OPS=200 npm run bench         the largest network the workload asks for
 *   SYSTEMS=product-dht npm run bench   one system only
 *
 * Nodes join in batches of JOIN_BATCH (default 10). Every node of either
 * system gets JOIN_TIMEOUT ms (default 300 000) to join: N hosts share one
 * process, and at N = 100 a join queued behind the others takes minutes, far
 * past product-dht's default of 30 s; a product node whose bootstrap dial
 * timed out is created again, up to JOIN_ATTEMPTS (3) times, and counted
 * (join_retries). startup_s says how long until every node was ready (its
 * start resolved: able to put and get); settled_s, until the lookups its
 * join left to the background had ended too. The workload starts then, or
 * PAUSE ms (default 0) later.
 *
 * The baseline runs BASELINE_OPS operations (default min(OPS, 200)): each of
 * its gets is a full iterative lookup, and 1000 of them take minutes.
 *
 * The floor, in the same run: after product-dht's phases, with its N nodes
 * still up, FLOOR_OPS (default 1000; 0 skips it) sequential round trips of a
 * get's sizes (a 40-byte request, a 450-byte response) on an open stream
 * between two plain libp2p hosts (TCP, Noise, Yamux) in the same process
 * (bench/floor.ts): floor_rtt_* in product-dht's line.
 * One JSON line per system on stdout, then a summary table of them; progress
 * on stderr.
 */
import '../src/polyfill.js'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { BootstrapError, createProductNode } from '../src/index.js'
import { measureFloor } from './floor.js'
import { summaryTable } from './summary.js'
import type { W1Result } from './summary.js'
import type { ProductNode } from '../src/index.js'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from '@libp2p/interface'

type BaselineHost = Libp2p<{ dht: KadDHT }>

/** A whole-number setting from the environment, at least `min`. */
function setting (name: string, fallback: number, min: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}; got ${process.env[name]}`)
  }
  return value
}

// node 0 is the bootstrap node, node 1 writes and node N-1 reads: N >= 3 keeps them apart
const N = setting('N', 20, 3)
const OPS = setting('OPS', 1000, 1)
const CONC = setting('CONC', 32, 1)
const BASELINE_OPS = setting('BASELINE_OPS', Math.min(OPS, 200), 1)
const JOIN_TIMEOUT = setting('JOIN_TIMEOUT', 300_000, 1)
const JOIN_BATCH = setting('JOIN_BATCH', 10, 1)
const JOIN_ATTEMPTS = setting('JOIN_ATTEMPTS', 3, 1)
const SYSTEMS = (process.env.SYSTEMS ?? 'product-dht,kad-dht').split(',')
const FLOOR_OPS = setting('FLOOR_OPS', 1000, 0)
/** ms to wait once settled, before the workload (background work a settle does not cover, timers) */
const PAUSE = setting('PAUSE', 0, 0)
const OP_TIMEOUT = 30_000
const REPLICATION = { r: 3, W: 2, R: 2 }

const progress = (message: string): void => { process.stderr.write(`[w1 N=${N}] ${message}\n`) }

interface BenchProduct {
  id: string
  name: string
  price: number
  currency: string
  description: string
  tags: string[]
  updatedAt: number
}

/** Product i as the workload defines it: a JSON document of exactly 300 bytes. */
function makeProduct (i: number): BenchProduct {
  const base: BenchProduct = {
    id: `P${String(i).padStart(6, '0')}`,
    name: `Widget ${i}`,
    price: Number(`${(i % 1000) + 9}.99`),
    currency: 'EUR',
    description: '',
    tags: ['a', 'b'],
    updatedAt: 1_700_000_000_000 + i
  }
  const length = JSON.stringify(base).length
  base.description = 'x'.repeat(Math.max(0, 300 - length))
  if (JSON.stringify(base).length !== 300) throw new Error(`product ${i} is not 300 bytes`)
  return base
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits))

interface Timed {
  /** latencies (ms) of the operations that succeeded, sorted */
  latencies: number[]
  /** wall time of the phase (s) */
  seconds: number
  /** operations that threw (timeouts, quorum errors): counted, not fatal */
  failed: number
  /**
   * CPU time (user + system, ms) the whole process spent per operation: all N
   * nodes share it, so it is what one operation costs the network, and it
   * moves far less than wall time when other work shares the machine
   */
  cpuPerOp: number
}

/**
 * Runs `op` for indexes 0..count-1 with `concurrency` in flight. An
 * operation that throws is counted and the first error shown on stderr, so
 * that one timeout in a crowded process does not lose the run's figures.
 */
async function timed (phase: string, count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<Timed> {
  const latencies: number[] = []
  let failed = 0
  let next = 0
  const started = performance.now()
  const cpu = process.cpuUsage()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++
      const t = performance.now()
      try {
        await op(i)
        latencies.push(performance.now() - t)
      } catch (err) {
        if (failed++ === 0) progress(`${phase}: operation ${i} failed - ${(err as Error).name}: ${(err as Error).message}`)
      }
    }
  }))
  const used = process.cpuUsage(cpu)
  if (failed > 0) progress(`${phase}: ${failed} of ${count} operations failed`)
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000, failed, cpuPerOp: (used.user + used.system) / 1000 / count }
}

/**
 * Node 0, then the others in batches of JOIN_BATCH created at once, each
 * batch once the one before is ready; progress on stderr after each batch.
 */
async function startInBatches <T> (system: string, create: (bootstrap?: T) => Promise<T>): Promise<T[]> {
  const started = performance.now()
  const nodes = [await create()]
  for (let i = 1; i < N; i += JOIN_BATCH) {
    nodes.push(...await Promise.all(Array.from({ length: Math.min(JOIN_BATCH, N - i) }, async () => create(nodes[0]))))
    progress(`${system}: ${nodes.length} of ${N} nodes ready after ${round((performance.now() - started) / 1000, 1)} s`)
  }
  return nodes
}

interface System {
  name: string
  version: string
  ops: number
  /** joins that were tried again after a bootstrap dial timed out */
  joinRetries: number
  start(): Promise<void>
  /** resolves when the joins' background work (lookups that fill tables) has ended, where a system has any */
  settle?(): Promise<void>
  put(writer: number, product: BenchProduct): Promise<void>
  /** true when the reader got exactly the product that was put */
  get(reader: number, product: BenchProduct): Promise<boolean>
  stop(): Promise<void>
}

function productDht (): System {
  let nodes: ProductNode[] = []
  const toInput = (p: BenchProduct) => ({
    id: p.id, name: p.name, price: p.price, currency: p.currency, description: p.description, tags: p.tags, attributes: { updatedAt: p.updatedAt }
  })
  const options = { replicationFactor: REPLICATION.r, writeQuorum: REPLICATION.W, readQuorum: REPLICATION.R, joinTimeout: JOIN_TIMEOUT }
  const system: System = {
    name: 'product-dht',
    version: process.env.npm_package_version ?? 'dev',
    ops: OPS,
    joinRetries: 0,
    async start () {
      nodes = await startInBatches(system.name, async bootstrapNode => {
        const bootstrap = bootstrapNode?.getMultiaddrs().map(String) ?? []
        for (let attempt = 1; ; attempt++) {
          try {
            return await createProductNode({ ...options, bootstrap })
          } catch (err) {
            // a crowded process can keep node 0 from answering a dial in time: not a result, a retry
            if (!(err instanceof BootstrapError) || attempt >= JOIN_ATTEMPTS) throw err
            system.joinRetries++
            progress(`${system.name}: a join failed (${err.message}); trying again`)
          }
        }
      })
    },
    async settle () {
      await Promise.all(nodes.map(async n => n.settled()))
    },
    async put (writer, product) {
      await nodes[writer].putProduct(toInput(product), { signal: AbortSignal.timeout(OP_TIMEOUT) })
    },
    async get (reader, product) {
      const got = await nodes[reader].getProduct(product.id, { signal: AbortSignal.timeout(OP_TIMEOUT) })
      return got !== undefined && got.name === product.name && Number(got.price) === product.price &&
        got.description === product.description && got.attributes?.updatedAt === product.updatedAt
    },
    async stop () {
      await Promise.all(nodes.map(async n => n.stop()))
    }
  }
  return system
}

function kadDhtBaseline (): System {
  let hosts: BaselineHost[] = []
  const key = (id: string): Uint8Array => uint8ArrayFromString(`/product/${id}`)
  const dht = {
    validators: {
      product: async (_key: Uint8Array, value: Uint8Array) => { JSON.parse(uint8ArrayToString(value)) }
    },
    // newest updatedAt wins
    selectors: {
      product: (_key: Uint8Array, values: Uint8Array[]) => {
        const times = values.map(v => (JSON.parse(uint8ArrayToString(v)) as BenchProduct).updatedAt)
        return times.indexOf(Math.max(...times))
      }
    }
  }
  // plain libp2p hosts built as product nodes build theirs, without the product store
  const newHost = async (): Promise<BaselineHost> => createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    datastore: new MemoryDatastore(),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 100, maxIncomingPendingConnections: 64 },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ ...dht, protocol: '/bench/kad/1.0.0', clientMode: false, peerInfoMapper: passthroughMapper, initialQuerySelfInterval: 0 })
    }
  })
  // join: dial the bootstrap node, then a lookup of the host's own id fills its routing table
  const join = async (host: BaselineHost, bootstrap: string, signal: AbortSignal): Promise<void> => {
    await host.dial(multiaddr(bootstrap), { signal })
    for await (const event of host.services.dht.getClosestPeers(host.peerId.toMultihash().bytes, { signal })) { void event }
  }
  return {
    name: '@libp2p/kad-dht',
    version: '16.4.5',
    ops: BASELINE_OPS,
    joinRetries: 0,
    async start () {
      hosts = await startInBatches('@libp2p/kad-dht', async bootstrapHost => {
        const host = await newHost()
        if (bootstrapHost !== undefined) await join(host, bootstrapHost.getMultiaddrs()[0].toString(), AbortSignal.timeout(JOIN_TIMEOUT))
        return host
      })
    },
    async put (writer, product) {
      const value = uint8ArrayFromString(JSON.stringify(product))
      for await (const event of hosts[writer].services.dht.put(key(product.id), value, { signal: AbortSignal.timeout(OP_TIMEOUT) })) { void event }
    },
    async get (reader, product) {
      let value: Uint8Array | undefined
      try {
        for await (const event of hosts[reader].services.dht.get(key(product.id), { signal: AbortSignal.timeout(OP_TIMEOUT) })) {
          if (event.name === 'VALUE') value = event.value
        }
      } catch {
        return false
      }
      return value !== undefined && uint8ArrayToString(value) === JSON.stringify(product)
    },
    async stop () {
      await Promise.all(hosts.map(async h => h.stop()))
    }
  }
}

async function run (system: System): Promise<W1Result> {
  progress(`${system.name}: starting ${N} nodes`)
  // how crowded the one process is: every node's timers and callbacks share its event loop
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const crowding = (): string => `event-loop delay p50 ${round(loopDelay.percentile(50) / 1e6, 1)} ms, p99 ${round(loopDelay.percentile(99) / 1e6, 1)} ms`
  const startedAt = performance.now()
  await system.start()
  const startup = (performance.now() - startedAt) / 1000
  // the workload measures a settled network: lookups of the joins still
  // running would share the process's one CPU with it
  await system.settle?.()
  const settled = (performance.now() - startedAt) / 1000
  if (PAUSE > 0) await new Promise(resolve => setTimeout(resolve, PAUSE))
  progress(`${system.name}: while starting, ${crowding()}`)
  loopDelay.reset()
  const writer = 1
  const reader = N - 1
  try {
    progress(`${system.name}: ready in ${round(startup)} s, settled in ${round(settled)} s; ${system.ops} sequential puts`)
    const puts = await timed(`${system.name} sequential puts`, system.ops, 1, async i => system.put(writer, makeProduct(i)))
    progress(`${system.name}: sequential gets`)
    let found = 0
    const gets = await timed(`${system.name} sequential gets`, system.ops, 1, async i => { if (await system.get(reader, makeProduct(i))) found++ })
    progress(`${system.name}: ${system.ops} puts with ${CONC} in flight`)
    const putsConc = await timed(`${system.name} concurrent puts`, system.ops, CONC, async i => system.put(writer, makeProduct(500_000 + i)))
    progress(`${system.name}: gets with ${CONC} in flight`)
    let foundConc = 0
    const getsConc = await timed(`${system.name} concurrent gets`, system.ops, CONC, async i => { if (await system.get(reader, makeProduct(500_000 + i))) foundConc++ })
    const floor = system.name === 'product-dht' && FLOOR_OPS > 0 ? await measureFloor(FLOOR_OPS, 40, 450) : undefined
    if (floor !== undefined) {
      progress(`floor: a bare libp2p round trip, p50 ${floor.p50_ms} ms, p95 ${floor.p95_ms} ms, ${floor.cpu_ms} ms of CPU`)
    }
    const result = {
      system: system.name,
      version: system.version,
      N,
      ops: system.ops,
      replication: system.name === 'product-dht' ? REPLICATION : { k: 20, note: 'put to the 20 closest; get runs a full lookup' },
      startup_s: round(startup),
      settled_s: round(settled),
      join_retries: system.joinRetries,
      put_seq_ops_s: round(system.ops / puts.seconds, 1),
      put_p50_ms: round(percentile(puts.latencies, 50)),
      put_p95_ms: round(percentile(puts.latencies, 95)),
      get_seq_ops_s: round(system.ops / gets.seconds, 1),
      get_p50_ms: round(percentile(gets.latencies, 50)),
      get_p95_ms: round(percentile(gets.latencies, 95)),
      get_found: found,
      put_conc_ops_s: round(system.ops / putsConc.seconds, 1),
      get_conc_ops_s: round(system.ops / getsConc.seconds, 1),
      get_conc_found: foundConc,
      put_failed: puts.failed,
      get_failed: gets.failed,
      put_conc_failed: putsConc.failed,
      get_conc_failed: getsConc.failed,
      put_seq_cpu_ms: round(puts.cpuPerOp, 3),
      get_seq_cpu_ms: round(gets.cpuPerOp, 3),
      put_conc_cpu_ms: round(putsConc.cpuPerOp, 3),
      get_conc_cpu_ms: round(getsConc.cpuPerOp, 3),
      ...(floor === undefined ? {} : { floor_rtt_p50_ms: floor.p50_ms, floor_rtt_p95_ms: floor.p95_ms, floor_rtt_cpu_ms: floor.cpu_ms }),
      rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024)
    }
    progress(`${system.name}: while running, ${crowding()}`)
    console.log(JSON.stringify(result))
    return result
  } finally {
    loopDelay.disable()
    await system.stop()
  }
}

const systems = [productDht(), kadDhtBaseline()].filter(s => SYSTEMS.includes(s.name) || (s.name === '@libp2p/kad-dht' && SYSTEMS.includes('kad-dht')))
if (systems.length === 0) {
  throw new Error(`SYSTEMS names no system this bench runs (product-dht, kad-dht): ${SYSTEMS.join(',')}`)
}
const results: W1Result[] = []
for (const system of systems) {
  results.push(await run(system))
}
console.log(`\n${summaryTable(results, CONC)}`)
