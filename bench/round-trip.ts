/**
 * One record-protocol round trip: two peers, r = W = R = 1, the reader is
 * not the replica, so every get is exactly one request and one response.
 *
 *   npm run bench:rtt          (OPS=1000 by default)
 */
import { createProductNode } from 'product-dht'

const OPS = Number(process.env.OPS ?? 1000)
const options = { replicationFactor: 1, writeQuorum: 1, readQuorum: 1 }
const replica = await createProductNode(options)
const reader = await createProductNode({ ...options, bootstrap: replica.getMultiaddrs().map(String) })
try {
  // ids whose single replica is the other peer
  const ids: string[] = []
  for (let i = 0; ids.length < OPS && i < OPS * 10; i++) {
    if (reader.replicasOf(`RTT-${i}`)[0].equals(replica.peerId)) ids.push(`RTT-${i}`)
  }
  for (const id of ids) {
    await reader.putProduct({ id, name: 'x', price: '1.00', currency: 'EUR' }, { signal: AbortSignal.timeout(5000) })
  }
  // phases on stderr: bench/cpu-profile.ts can narrow a profile to the gets
  process.stderr.write(`round trip: ${ids.length} gets\n`)
  const latencies: number[] = []
  // CPU of the whole process (both peers) per get: steadier than latency on a shared machine
  const cpu = process.cpuUsage()
  for (const id of ids) {
    const started = performance.now()
    await reader.getProduct(id, { signal: AbortSignal.timeout(5000) })
    latencies.push(performance.now() - started)
  }
  const used = process.cpuUsage(cpu)
  process.stderr.write('round trip: gets done\n')
  latencies.sort((a, b) => a - b)
  const at = (p: number): number => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(3))
  console.log(JSON.stringify({ system: 'product-dht', bench: 'round-trip', ops: ids.length, get_p50_ms: at(0.5), get_p95_ms: at(0.95), get_p99_ms: at(0.99), cpu_ms_per_get: Number(((used.user + used.system) / 1000 / ids.length).toFixed(3)) }))
} finally {
  await reader.stop()
  await replica.stop()
}
