/**
 * The soak's report of one interval: the process (memory, open handles by
 * kind, event-loop delay), the network (live nodes, churn, connections,
 * what maintenance did and holds) and the load (operations, errors by name,
 * latencies). One human line on stderr and one JSON line on stdout per
 * interval; a Markdown table of them all at the end.
 */
import type { MaintenanceCounters } from './maintenance-ledger.js'
import type { ChurnCounts } from './network.js'
import type { OperationKind, OperationWindow } from './load.js'

export interface IntervalReport {
  minute: number
  elapsed_s: number
  nodes: number
  /** nodes down for now that will come back with their data directory */
  returning: number
  churn: ChurnCounts
  rss_mb: number
  /** after a full GC when the process runs with --expose-gc (npm run soak does) */
  heap_used_mb: number
  external_mb: number
  handles: number
  handles_by_kind: Record<string, number>
  /** libp2p connections of the live nodes, both ends counted (every peer is in this process) */
  connections: number
  streams: number
  loop_p50_ms: number
  loop_p99_ms: number
  /** CPU this process used in the interval, in % of one core */
  cpu_percent: number
  /** the machine's 1-minute load average (other work shares it) */
  load_avg: number
  ops: number
  ops_by_kind: Record<OperationKind, number>
  gets_found: number
  errors: number
  errors_by_name: Record<string, number>
  /** gets of an idle product that did not return its last acknowledged write, by verdict */
  wrong_reads: Record<string, number>
  skipped: number
  /** acknowledged writes whose version was below the previous acknowledged one's */
  versions_below: number
  get_p50_ms: number | null
  get_p99_ms: number | null
  put_p50_ms: number | null
  put_p99_ms: number | null
  delete_p50_ms: number | null
  delete_p99_ms: number | null
  maintenance: MaintenanceCounters
  /** records the live nodes hold (tombstones included), and those their last passes could not confirm on r peers */
  records_held: number
  under_replicated: number
  unhandled_rejections: number
  warnings: Record<string, number>
}

export function percentile (values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return round(sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))])
}

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits))

const mb = (bytes: number): number => round(bytes / 1024 / 1024)

/** Open handles and requests of the process, counted by kind (TCPSocketWrap, Timeout, FSReqCallback, …). */
export function handlesByKind (): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]))
}

/** Memory after a full GC where the process allows one: growth then means something is kept. */
export function memory (): { rss_mb: number, heap_used_mb: number, external_mb: number } {
  (globalThis as { gc?: () => void }).gc?.()
  const usage = process.memoryUsage()
  return { rss_mb: mb(usage.rss), heap_used_mb: mb(usage.heapUsed), external_mb: mb(usage.external) }
}

export function operationFigures (window: OperationWindow): Pick<IntervalReport, 'ops' | 'ops_by_kind' | 'gets_found' | 'errors' | 'errors_by_name' | 'wrong_reads' | 'skipped' | 'versions_below' |
'get_p50_ms' | 'get_p99_ms' | 'put_p50_ms' | 'put_p99_ms' | 'delete_p50_ms' | 'delete_p99_ms'> {
  return {
    ops: window.operations,
    ops_by_kind: { ...window.done },
    gets_found: window.found,
    errors: window.errorCount,
    errors_by_name: Object.fromEntries([...window.errors].sort((a, b) => b[1] - a[1])),
    wrong_reads: Object.fromEntries(window.wrongReads),
    skipped: window.skipped,
    versions_below: window.versionsBelow,
    get_p50_ms: percentile(window.latency.get, 50),
    get_p99_ms: percentile(window.latency.get, 99),
    put_p50_ms: percentile(window.latency.put, 50),
    put_p99_ms: percentile(window.latency.put, 99),
    delete_p50_ms: percentile(window.latency.delete, 50),
    delete_p99_ms: percentile(window.latency.delete, 99)
  }
}

const listed = (counts: Record<string, number>, limit = 6): string => {
  const entries = Object.entries(counts)
  if (entries.length === 0) return 'none'
  const shown = entries.slice(0, limit).map(([k, v]) => `${k} ${v}`)
  return entries.length > limit ? `${shown.join(', ')}, …` : shown.join(', ')
}

const kb = (bytes: number): string => `${round(bytes / 1024)} KB`

/** The interval as one line for a terminal. */
export function formatLine (r: IntervalReport, of: number): string {
  const k = r.ops_by_kind
  const m = r.maintenance
  const wrong = Object.values(r.wrong_reads).reduce((a, b) => a + b, 0)
  return [
    `[soak ${r.minute}/${of}]`,
    `nodes ${r.nodes}${r.returning > 0 ? ` (+${r.returning} returning)` : ''}, churn +${r.churn.joined} joined +${r.churn.restarted} back −${r.churn.departed}${r.churn.failedJoins > 0 ? ` ${r.churn.failedJoins} failed joins` : ''}`,
    `rss ${r.rss_mb} MB heap ${r.heap_used_mb} MB ext ${r.external_mb} MB`,
    `handles ${r.handles} (${listed(r.handles_by_kind, 4)}), conns ${r.connections} streams ${r.streams}`,
    `loop p50/p99 ${r.loop_p50_ms}/${r.loop_p99_ms} ms cpu ${r.cpu_percent}% load ${r.load_avg}`,
    `ops ${r.ops} (put ${k.put} upd ${k.update} del ${k.delete} get ${k.get} [${r.gets_found} found] miss ${k.getMissing}${r.skipped > 0 ? `, ${r.skipped} skipped` : ''})`,
    `errors ${r.errors}${r.errors > 0 ? ` (${listed(r.errors_by_name)})` : ''}${wrong > 0 ? `, wrong reads ${listed(r.wrong_reads)}` : ''}${r.versions_below > 0 ? `, ${r.versions_below} writes acknowledged below the last version` : ''}`,
    `get p50/p99 ${r.get_p50_ms ?? '-'}/${r.get_p99_ms ?? '-'} ms put ${r.put_p50_ms ?? '-'}/${r.put_p99_ms ?? '-'} ms`,
    `maint passes ${m.passes} syncs ${m.syncs} failed ${m.failedSyncs} msgs ${m.syncMessages} ${kb(m.syncBytes)} pushed ${m.pushed} pulled ${m.pulled} handed off ${m.handedOff}`,
    `held ${r.records_held} under-replicated ${r.under_replicated}`,
    ...(r.unhandled_rejections > 0 ? [`UNHANDLED REJECTIONS ${r.unhandled_rejections}`] : []),
    ...(Object.keys(r.warnings).length > 0 ? [`warnings ${listed(r.warnings)}`] : [])
  ].join(' | ')
}

/** Every interval as a row of a Markdown table, as BENCHMARKS.md shows it. */
export function markdownTable (reports: IntervalReport[]): string {
  const header = ['min', 'nodes', 'joined / back / left', 'RSS MB', 'heap MB', 'handles', 'TCP', 'timers', 'conns', 'loop p99 ms', 'CPU %', 'load', 'ops', 'errors', 'wrong reads', 'acked below',
    'get p50 / p99 ms', 'put p50 / p99 ms', 'passes', 'syncs (failed)', 'SYNC msgs', 'SYNC KB', 'pushed / pulled / handed off', 'held', 'under-repl.']
  const rows = reports.map(r => {
    const m = r.maintenance
    return [
      r.minute, r.nodes, `${r.churn.joined} / ${r.churn.restarted} / ${r.churn.departed}`, r.rss_mb, r.heap_used_mb, r.handles,
      r.handles_by_kind.TCPSocketWrap ?? 0, r.handles_by_kind.Timeout ?? 0, r.connections, r.loop_p99_ms, r.cpu_percent, r.load_avg, r.ops,
      r.errors === 0 ? '0' : `${r.errors} (${listed(r.errors_by_name, 3)})`,
      Object.values(r.wrong_reads).reduce((a, b) => a + b, 0), r.versions_below,
      `${r.get_p50_ms ?? '-'} / ${r.get_p99_ms ?? '-'}`, `${r.put_p50_ms ?? '-'} / ${r.put_p99_ms ?? '-'}`,
      m.passes, `${m.syncs} (${m.failedSyncs})`, m.syncMessages, round(m.syncBytes / 1024), `${m.pushed} / ${m.pulled} / ${m.handedOff}`,
      r.records_held, r.under_replicated
    ].map(String)
  })
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
