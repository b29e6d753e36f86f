/**
 * Soak (issue 12, part 8): a network of NODES product nodes on 127.0.0.1,
 * all in this process, under mixed load and churn for DURATION minutes, with
 * one report line (and one JSON line) per minute: memory, open handles,
 * maintenance traffic, operations, errors and latencies. At the end every
 * product is read back from a few live nodes and compared with its last
 * acknowledged write; then every node stops.
 *
 *   npm run soak                              DURATION=10 NODES=20 RATE=50
 *   DURATION=60 RATE=100 npm run soak > soak.jsonl
 *
 * Settings (whole numbers): DURATION (minutes, 10), NODES (20), RATE
 * (operations a second, 50), CHURN_EVERY (seconds between churn rounds, 60),
 * RESTART_AFTER (seconds a stopped node with a data directory stays down,
 * 30), REPORT_EVERY (seconds, 60), MAINTENANCE_INTERVAL (ms between sweeps,
 * 30 000), VERIFY_READERS (3), MAX_IN_FLIGHT (4 × RATE, at least 64),
 * OP_TIMEOUT (ms, 30 000). HEAP_SNAPSHOT=<file> writes a heap snapshot once
 * every node has stopped.
 *
 * The check reads every product from VERIFY_READERS random live nodes; the
 * products that fail are read again after a maintenance pass on every node
 * (the recheck), so that what still fails is lost, not merely not yet
 * repaired. Ctrl-C ends the load early and goes on to the check and the
 * summary; a second Ctrl-C skips what is left of the check. Exit status: 0
 * when every acknowledged write read back and nothing went unhandled, 1 when
 * a write was lost (still wrong at the recheck), a read could not be
 * checked, or a promise rejection went unhandled, 2 for a bad setting, 130
 * when interrupted (and nothing lost).
 */
import '../src/polyfill.js'
import { setMaxListeners } from 'node:events'
import { loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { writeHeapSnapshot } from 'node:v8'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Beliefs } from './soak/beliefs.js'
import { MixedLoad } from './soak/load.js'
import { MaintenanceLedger } from './soak/maintenance-ledger.js'
import { SoakNetwork } from './soak/network.js'
import { formatLine, handlesByKind, markdownTable, memory, operationFigures, round } from './soak/report.js'
import { readSettings, REPLICATION, SettingError } from './soak/settings.js'
import { checkable, settle, verifyBeliefs } from './soak/verify.js'
import type { IntervalReport } from './soak/report.js'
import type { SoakSettings } from './soak/settings.js'
import type { Verification } from './soak/verify.js'

/** Seller keys the products are signed with: any node can then update any product. */
const SELLERS = 4

const log = (message: string): void => { process.stderr.write(`[soak] ${message}\n`) }

let settings: SoakSettings
try {
  settings = readSettings()
} catch (err) {
  if (!(err instanceof SettingError)) throw err
  process.stderr.write(`soak: ${err.message}\n`)
  process.exit(2)
}

// what the soak is for: a rejection nobody handled, or a process warning
// (MaxListenersExceededWarning is how a listener leak shows), counted and shown
let unhandled = { interval: 0, total: 0 }
const warnings = { interval: new Map<string, number>(), total: new Map<string, number>() }
process.on('unhandledRejection', reason => {
  unhandled = { interval: unhandled.interval + 1, total: unhandled.total + 1 }
  if (unhandled.total <= 5) log(`UNHANDLED REJECTION: ${reason instanceof Error ? reason.stack : String(reason)}`)
})
process.on('warning', warning => {
  if (!warnings.total.has(warning.name)) log(`first ${warning.name}: ${warning.stack ?? warning.message}`)
  for (const counts of [warnings.interval, warnings.total]) counts.set(warning.name, (counts.get(warning.name) ?? 0) + 1)
})

const stopLoad = new AbortController()
const abortAll = new AbortController()
// every operation in flight listens to it (and removes its listener when it ends)
setMaxListeners(Infinity, abortAll.signal)
let interrupted = false
process.on('SIGINT', () => {
  if (!interrupted) {
    interrupted = true
    log('interrupted: ending the load, then the check and the summary (Ctrl-C again to skip the check)')
    stopLoad.abort()
  } else if (!abortAll.signal.aborted) {
    log('interrupted again: skipping the check; stopping the nodes')
    abortAll.abort()
  } else {
    process.exit(130)
  }
})

const ledger = new MaintenanceLedger()
const network = new SoakNetwork({
  nodes: settings.nodes,
  maintenanceInterval: settings.maintenanceInterval,
  restartAfter: settings.restartAfter,
  drainTimeout: settings.opTimeout + 5_000,
  ledger,
  log
})
const beliefs = new Beliefs(SELLERS)
const load = new MixedLoad({
  rate: settings.rate,
  maxInFlight: settings.maxInFlight,
  opTimeout: settings.opTimeout,
  sellers: await Promise.all(Array.from({ length: SELLERS }, async () => generateKeyPair('Ed25519'))),
  network,
  beliefs,
  log
})
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
const reports: IntervalReport[] = []
const minutes = Math.ceil(settings.durationMinutes * 60 / settings.reportEvery)
let runStarted = 0
let cpuMark = { usage: process.cpuUsage(), at: performance.now() }

/** Takes the figures of the interval that just ended, prints them and starts the next. */
function report (minute: number): IntervalReport {
  for (const node of network.live) ledger.observe(node.node)
  let connections = 0
  let streams = 0
  let recordsHeld = 0
  let underReplicated = 0
  for (const { node } of network.live) {
    for (const connection of node.libp2p.getConnections()) {
      connections++
      streams += connection.streams.length
    }
    const status = node.status()
    recordsHeld += status.records
    underReplicated += status.maintenance.underReplicated
  }
  const handles = handlesByKind()
  const cpu = process.cpuUsage(cpuMark.usage)
  const cpuPercent = round((cpu.user + cpu.system) / 1000 / (performance.now() - cpuMark.at) * 100, 0)
  cpuMark = { usage: process.cpuUsage(), at: performance.now() }
  const figures: IntervalReport = {
    minute,
    elapsed_s: round((performance.now() - runStarted) / 1000),
    nodes: network.live.length,
    returning: network.returning,
    churn: network.takeInterval(),
    ...memory(),
    handles: Object.values(handles).reduce((a, b) => a + b, 0),
    handles_by_kind: handles,
    connections,
    streams,
    loop_p50_ms: round(loopDelay.percentile(50) / 1e6),
    loop_p99_ms: round(loopDelay.percentile(99) / 1e6),
    cpu_percent: cpuPercent,
    load_avg: round(loadavg()[0]),
    ...operationFigures(load.takeWindow()),
    maintenance: ledger.takeInterval(),
    records_held: recordsHeld,
    under_replicated: underReplicated,
    unhandled_rejections: unhandled.interval,
    warnings: Object.fromEntries(warnings.interval)
  }
  loopDelay.reset()
  unhandled.interval = 0
  warnings.interval.clear()
  process.stderr.write(`${formatLine(figures, minutes)}\n`)
  console.log(JSON.stringify(figures))
  return figures
}

async function sleepUntil (at: number, signal: AbortSignal): Promise<void> {
  const ms = at - performance.now()
  if (ms <= 0 || signal.aborted) return
  await new Promise<void>(resolve => {
    const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

async function churnRounds (): Promise<void> {
  for (let round = 1; !stopLoad.signal.aborted; round++) {
    await sleepUntil(runStarted + round * settings.churnEvery * 1000, stopLoad.signal)
    if (stopLoad.signal.aborted) return
    try {
      await network.churn()
    } catch (err) {
      log(`churn round ${round} failed - ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`)
    }
  }
}

async function soak (): Promise<void> {
  log(`starting ${settings.nodes} nodes (r ${REPLICATION.r}, W ${REPLICATION.W}, R ${REPLICATION.R}, maintenance sweep every ${settings.maintenanceInterval / 1000} s)`)
  const starting = performance.now()
  // minute 0's CPU is the start's
  cpuMark = { usage: process.cpuUsage(), at: starting }
  await network.start()
  log(`${settings.nodes} nodes ready after ${round((performance.now() - starting) / 1000)} s; ${settings.durationMinutes} min at ${settings.rate} operations/s, ` +
    `${REPLICATION.r - 1} nodes replaced every ${settings.churnEvery} s`)
  loopDelay.enable()
  runStarted = performance.now()
  // minute 0: the network at rest, before any load, for what grows after
  reports.push(report(0))
  const end = runStarted + settings.durationMinutes * 60_000
  const running = Promise.allSettled([load.run(stopLoad.signal, abortAll.signal), churnRounds()])
  for (let minute = 1; ; minute++) {
    const due = Math.min(runStarted + minute * settings.reportEvery * 1000, end)
    await sleepUntil(due, stopLoad.signal)
    if (due >= end || stopLoad.signal.aborted) {
      stopLoad.abort()
      log(`load ended; waiting for the ${load.inFlight} operations in flight`)
      for (const outcome of await running) {
        if (outcome.status === 'rejected') log(`the load or the churn failed - ${String(outcome.reason)}`)
      }
      // the last interval includes the operations that finished after the end
      reports.push(report(minute))
      return
    }
    reports.push(report(minute))
  }
}

function sum (values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

function mergeCounts (all: Array<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = {}
  for (const counts of all) for (const [k, v] of Object.entries(counts)) merged[k] = (merged[k] ?? 0) + v
  return Object.fromEntries(Object.entries(merged).sort((a, b) => b[1] - a[1]))
}

/** One check's figures as a log line. */
function describeCheck (name: string, v: Verification): string {
  return `${name}: ${v.products} products, ${v.reads} reads in ${v.seconds} s: ${v.matched} matched, ${sum(Object.values(v.mismatches))} wrong ` +
    `(${JSON.stringify(v.mismatches)}) on ${v.lostProducts} products, ${sum(Object.values(v.unverified))} unverified (${JSON.stringify(v.unverified)})${v.interrupted ? ', cut short' : ''}`
}

let exitCode = 0
try {
  await soak()
  await network.quiesce()
  const products = checkable(beliefs)
  log(`check: every product against its last acknowledged write, ${products.length} products from ${settings.verifyReaders} of the ${network.live.length} live nodes each`)
  const check = await verifyBeliefs(products, network, settings.verifyReaders, abortAll.signal, log)
  for (const example of check.examples) log(`check: ${example}`)
  log(describeCheck('check', check))
  // what failed is read again once every node ran a maintenance pass: lost, or not yet repaired?
  let recheck: Verification | undefined
  let settled: Awaited<ReturnType<typeof settle>> | undefined
  if (check.failing.length > 0 && !abortAll.signal.aborted) {
    log(`recheck: a maintenance pass on each of the ${network.live.length} live nodes, then the ${check.failing.length} products that failed, read again`)
    settled = await settle(network, 120_000, abortAll.signal)
    log(`recheck: the passes took ${settled.seconds} s (${settled.unfinished} not finished within 120 s)`)
    recheck = await verifyBeliefs(check.failing, network, settings.verifyReaders, abortAll.signal, log)
    for (const example of recheck.examples) log(`recheck: ${example}`)
    log(describeCheck('recheck', recheck))
  }
  const final = recheck ?? check

  const stopping = performance.now()
  await network.stopAll()
  const stopSeconds = round((performance.now() - stopping) / 1000)
  loopDelay.disable()
  // what is left once every node stopped: a node's timers or sockets outliving
  // it show here. Timeout signals (10 s in libp2p's ping handler, 20 and 30 s
  // in this script's reads and operations) keep a stopped node's streams,
  // and through them the node, reachable until they fire: wait them out
  await new Promise(resolve => setTimeout(resolve, 35_000))
  const handlesAfterStop = handlesByKind()
  const memoryAfterStop = memory()
  if (process.env.HEAP_SNAPSHOT !== undefined) {
    // what the heap still holds once no node runs (open it in Chrome DevTools, Memory tab)
    log(`heap snapshot after the stop: ${writeHeapSnapshot(process.env.HEAP_SNAPSHOT)}`)
  }

  const during = reports.slice(1)
  const summary = {
    summary: true,
    settings,
    interrupted,
    minutes: round((reports[reports.length - 1]?.elapsed_s ?? 0) / 60),
    ops: sum(during.map(r => r.ops)),
    ops_by_kind: mergeCounts(during.map(r => r.ops_by_kind)),
    errors: sum(during.map(r => r.errors)),
    errors_by_name: mergeCounts(during.map(r => r.errors_by_name)),
    wrong_reads: mergeCounts(during.map(r => r.wrong_reads)),
    skipped: sum(during.map(r => r.skipped)),
    versions_below: sum(during.map(r => r.versions_below)),
    versions_equal: beliefs.regressions.filter(r => r.after === r.before).length,
    churn: network.totals,
    maintenance: ledger.totals,
    rss_mb: { start: reports[0]?.rss_mb, end: reports[reports.length - 1]?.rss_mb, max: Math.max(...reports.map(r => r.rss_mb)) },
    heap_used_mb: { start: reports[0]?.heap_used_mb, end: reports[reports.length - 1]?.heap_used_mb, max: Math.max(...reports.map(r => r.heap_used_mb)) },
    handles: { start: reports[0]?.handles, end: reports[reports.length - 1]?.handles, max: Math.max(...reports.map(r => r.handles)) },
    check: { ...check, examples: undefined, failing: check.failing.length },
    settle: settled,
    recheck: recheck === undefined ? undefined : { ...recheck, examples: undefined, failing: recheck.failing.length },
    stop_s: stopSeconds,
    handles_after_stop: handlesAfterStop,
    memory_after_stop: memoryAfterStop,
    unhandled_rejections: unhandled.total,
    warnings: Object.fromEntries(warnings.total)
  }
  console.log(JSON.stringify(summary))
  console.log(`\n${markdownTable(reports)}\n`)

  log(`${summary.ops} operations in ${summary.minutes} min, ${summary.errors} rejected (${JSON.stringify(summary.errors_by_name)}), ` +
    `${sum(Object.values(summary.wrong_reads))} reads during the load that missed the last acknowledged write, ${summary.skipped} skipped`)
  log(`${summary.versions_below} writes acknowledged at a version below the one acknowledged before them (lost as acknowledged), ${summary.versions_equal} at the same version (won by updatedAt)`)
  log(`churn: ${network.totals.departed} stopped, ${network.totals.joined} fresh joined, ${network.totals.restarted} back with their data, ${network.totals.failedJoins} failed joins`)
  log(`stopped every node in ${stopSeconds} s; then ${sum(Object.values(handlesAfterStop))} handles open (${JSON.stringify(handlesAfterStop)}), rss ${memoryAfterStop.rss_mb} MB, heap ${memoryAfterStop.heap_used_mb} MB`)
  const lost = final.lostProducts
  const unverified = sum(Object.values(final.unverified))
  if (lost > 0) {
    log(`FAILED: ${lost} products did not read back at their last acknowledged write${recheck === undefined ? '' : ', even after a maintenance pass on every node'}`)
    exitCode = 1
  } else if (unverified > 0 || final.interrupted) {
    log(`FAILED: ${unverified} reads could not be checked${final.interrupted ? ' (check cut short)' : ''}`)
    exitCode = 1
  } else if (unhandled.total > 0) {
    log(`FAILED: ${unhandled.total} unhandled promise rejections`)
    exitCode = 1
  } else {
    log(recheck === undefined ? 'every acknowledged write read back' : 'every acknowledged write read back once every node ran a maintenance pass')
    if (interrupted) exitCode = 130
  }
} catch (err) {
  log(`the soak failed - ${err instanceof Error ? err.stack : String(err)}`)
  exitCode = 1
  await network.stopAll().catch(stopErr => { log(`stopping the nodes failed too - ${String(stopErr)}`) })
}
process.exitCode = exitCode
// every node stopped: the process should end by itself; if a handle keeps it alive, say which and end it
setTimeout(() => {
  log(`still running 10 s after the end, held by ${JSON.stringify(handlesByKind())}`)
  process.exit(exitCode)
}, 10_000).unref()
