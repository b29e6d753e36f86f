/**
 * The human-readable end of a W1 run: one Markdown table row per system (the
 * figures of its JSON line, in the layout BENCHMARKS.md uses), and where
 * both systems ran, how many times product-dht's rates are kad-dht's.
 */

/** The figures of one system's JSON line. */
export interface W1Result {
  system: string
  N: number
  ops: number
  startup_s: number
  /** when the joins' background lookups had ended too (absent in lines from before joins had any) */
  settled_s?: number
  join_retries: number
  put_seq_ops_s: number
  put_p50_ms: number
  put_p95_ms: number
  get_seq_ops_s: number
  get_p50_ms: number
  get_p95_ms: number
  get_found: number
  put_conc_ops_s: number
  get_conc_ops_s: number
  get_conc_found: number
  /** operations that threw, per phase */
  put_failed: number
  get_failed: number
  put_conc_failed: number
  get_conc_failed: number
  /** CPU ms of the whole process per operation, per phase (absent in lines from before they were measured) */
  put_seq_cpu_ms?: number
  get_seq_cpu_ms?: number
  put_conc_cpu_ms?: number
  get_conc_cpu_ms?: number
  /** a bare libp2p round trip of a get's sizes in the same process and run (bench/floor.ts) */
  floor_rtt_p50_ms?: number
  floor_rtt_p95_ms?: number
  floor_rtt_cpu_ms?: number
  rss_mb: number
}

const RATES = [
  ['put/s seq', 'put_seq_ops_s'],
  ['get/s seq', 'get_seq_ops_s'],
  ['put/s concurrent', 'put_conc_ops_s'],
  ['get/s concurrent', 'get_conc_ops_s']
] as const

export function summaryTable (results: W1Result[], concurrency: number): string {
  const header = ['system', 'N', 'ops', 'ready s', 'settled s', 'join retries', 'put/s seq', 'put p50 ms', 'put p95 ms', 'get/s seq', 'get p50 ms', 'get p95 ms', 'found',
    `put/s ×${concurrency}`, `get/s ×${concurrency}`, `found ×${concurrency}`, 'failed ops', 'RSS MB']
  const rows = results.map(r => [r.system, r.N, r.ops, r.startup_s, r.settled_s ?? r.startup_s, r.join_retries, r.put_seq_ops_s, r.put_p50_ms, r.put_p95_ms, r.get_seq_ops_s, r.get_p50_ms, r.get_p95_ms,
    `${r.get_found}/${r.ops}`, r.put_conc_ops_s, r.get_conc_ops_s, `${r.get_conc_found}/${r.ops}`, r.put_failed + r.get_failed + r.put_conc_failed + r.get_conc_failed, r.rss_mb].map(String))
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  const lines = [line(header), line(header.map(() => '---')), ...rows.map(line)]
  const product = results.find(r => r.system === 'product-dht')
  if (product?.floor_rtt_p50_ms !== undefined) {
    lines.push('', `floor, same run: a bare libp2p round trip (Noise, Yamux, TCP on 127.0.0.1) of a get's sizes, p50 ${product.floor_rtt_p50_ms} ms, p95 ${product.floor_rtt_p95_ms} ms, ${product.floor_rtt_cpu_ms} ms of CPU`)
  }
  const baseline = results.find(r => r.system === '@libp2p/kad-dht')
  if (product !== undefined && baseline !== undefined) {
    const ratios = RATES.map(([label, field]) => `${label} ${(product[field] / baseline[field]).toFixed(0)}×`)
    lines.push('', `product-dht / @libp2p/kad-dht, same run: ${ratios.join(', ')}`)
  }
  return lines.join('\n')
}
