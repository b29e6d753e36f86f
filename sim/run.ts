/**
 * The replication layer over simulated networks of 10^3 to 10^5 peers with
 * partial views (BENCHMARKS.md, "Simulation", says what is modelled):
 *
 *   npm run sim                                  PEERS=1000,10000,100000, OPS=1000
 *   PEERS=10000 OPS=2000 SEED=7 npm run sim
 *
 * Options (env): PEERS, OPS (products put and got per phase), K (bucket
 * size, 20), R (replicas, 3), READ_QUORUM (2), CHURN (0.1), MAX_ROUNDS (the
 * query's rounds; default: the code's), LIVE_VIEWS (views loaded at once,
 * 10000), SEED (1). Tables on stdout, progress on stderr.
 */
import '../src/polyfill.js'
import { runExperiment } from './experiment.js'
import { SimNetwork } from './network.js'
import { lookupTable, placementTable } from './report.js'
import type { SizedPhase } from './report.js'

const env = (name: string, fallback: string): string => process.env[name] ?? fallback
const PEERS = env('PEERS', '1000,10000,100000').split(',').map(Number)
const OPS = Number(env('OPS', '1000'))
const K = Number(env('K', '20'))
const R = Number(env('R', '3'))
const READ_QUORUM = Number(env('READ_QUORUM', '2'))
const CHURN = Number(env('CHURN', '0.1'))
const MAX_ROUNDS = process.env.MAX_ROUNDS === undefined ? undefined : Number(process.env.MAX_ROUNDS)
const LIVE_VIEWS = Number(env('LIVE_VIEWS', '10000'))
const SEED = Number(env('SEED', '1'))

const progress = (message: string): void => { process.stderr.write(`[sim ${(performance.now() / 1000).toFixed(1)} s] ${message}\n`) }

const rows: SizedPhase[] = []
for (const peers of PEERS) {
  const started = performance.now()
  const net = new SimNetwork({ peers, viewModel: 'kademlia', bucketSize: K, replicationFactor: R, maxRounds: MAX_ROUNDS, liveViews: LIVE_VIEWS, seed: SEED })
  progress(`${peers} peers: network built in ${((performance.now() - started) / 1000).toFixed(1)} s, views of ${net.meanViewSize().toFixed(0)} peers on average`)
  const phases = await runExperiment(net, { operations: OPS, churn: CHURN, readQuorum: READ_QUORUM }, progress)
  rows.push(...phases.map(samples => ({ peers, samples })))
  if (net.fallbackLookups > 0) progress(`${peers} peers: ${net.fallbackLookups} queries fell back to a DHT lookup (not modelled)`)
  progress(`${peers} peers: ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)
  net.nodes.dropAll()
}

console.log(`r = ${R}, R = ${READ_QUORUM}, k = ${K}, ${OPS} products put and got per phase, churn ${CHURN * 100} %, rounds ${MAX_ROUNDS ?? 'default'}, seed ${SEED}\n`)
console.log(lookupTable(rows))
console.log()
console.log(placementTable(rows))
