/**
 * Benchmark workload W1 (../shared/bench/WORKLOAD.md) on product-dht and, in
 * the same run as a baseline, on @libp2p/kad-dht's own put/get with a
 * validator and selector for a `/product/` namespace.
 *
 *   npm run bench                       N=20, OPS=1000, CONC=32
 *   N=50 OPS=1000 npm run bench
 *   SYSTEMS=product-dht npm run bench   one system only
 *
 * The baseline runs BASELINE_OPS operations (default min(OPS, 200)): each of
 * its gets is a full iterative lookup, and 1000 of them take minutes.
 * One JSON line per system on stdout; progress on stderr.
 */
import '../src/polyfill.js'
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
import { createProductNode } from '../src/index.js'
import type { ProductNode } from '../src/index.js'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from '@libp2p/interface'

type BaselineHost = Libp2p<{ dht: KadDHT }>

const N = Number(process.env.N ?? 20)
const OPS = Number(process.env.OPS ?? 1000)
const CONC = Number(process.env.CONC ?? 32)
const BASELINE_OPS = Number(process.env.BASELINE_OPS ?? Math.min(OPS, 200))
const SYSTEMS = (process.env.SYSTEMS ?? 'product-dht,kad-dht').split(',')
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

/** Runs `op` for indexes 0..count-1 with `concurrency` in flight; returns per-op latencies (ms) and wall time (s). */
async function timed (count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<{ latencies: number[], seconds: number }> {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++
      const t = performance.now()
      await op(i)
      latencies.push(performance.now() - t)
    }
  }))
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 }
}

interface System {
  name: string
  version: string
  ops: number
  start(): Promise<void>
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
  return {
    name: 'product-dht',
    version: process.env.npm_package_version ?? 'dev',
    ops: OPS,
    async start () {
      const options = { replicationFactor: REPLICATION.r, writeQuorum: REPLICATION.W, readQuorum: REPLICATION.R }
      nodes = [await createProductNode(options)]
      const bootstrap = nodes[0].getMultiaddrs().map(String)
      for (let i = 1; i < N; i += 10) {
        nodes.push(...await Promise.all(Array.from({ length: Math.min(10, N - i) }, async () => createProductNode({ ...options, bootstrap }))))
      }
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
    async start () {
      hosts = [await newHost()]
      const bootstrap = hosts[0].getMultiaddrs().map(String)
      for (let i = 1; i < N; i += 10) {
        hosts.push(...await Promise.all(Array.from({ length: Math.min(10, N - i) }, async () => {
          const host = await newHost()
          await join(host, bootstrap[0], AbortSignal.timeout(60_000))
          return host
        })))
      }
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

async function run (system: System): Promise<void> {
  progress(`${system.name}: starting ${N} nodes`)
  const startedAt = performance.now()
  await system.start()
  const startup = (performance.now() - startedAt) / 1000
  const writer = 1
  const reader = N - 1
  try {
    progress(`${system.name}: ready in ${round(startup)} s; ${system.ops} sequential puts`)
    const puts = await timed(system.ops, 1, async i => system.put(writer, makeProduct(i)))
    progress(`${system.name}: sequential gets`)
    let found = 0
    const gets = await timed(system.ops, 1, async i => { if (await system.get(reader, makeProduct(i))) found++ })
    progress(`${system.name}: ${system.ops} puts with ${CONC} in flight`)
    const putsConc = await timed(system.ops, CONC, async i => system.put(writer, makeProduct(500_000 + i)))
    progress(`${system.name}: gets with ${CONC} in flight`)
    let foundConc = 0
    const getsConc = await timed(system.ops, CONC, async i => { if (await system.get(reader, makeProduct(500_000 + i))) foundConc++ })
    console.log(JSON.stringify({
      system: system.name,
      version: system.version,
      N,
      ops: system.ops,
      replication: system.name === 'product-dht' ? REPLICATION : { k: 20, note: 'put to the 20 closest; get runs a full lookup' },
      startup_s: round(startup),
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
      rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024)
    }))
  } finally {
    await system.stop()
  }
}

const systems = [productDht(), kadDhtBaseline()].filter(s => SYSTEMS.includes(s.name) || (s.name === '@libp2p/kad-dht' && SYSTEMS.includes('kad-dht')))
for (const system of systems) {
  await run(system)
}
