/**
 * The floor under a get: one request and one response of a get's size on an
 * open libp2p stream, through Noise and Yamux over TCP on 127.0.0.1, between
 * two plain hosts in this process. Nothing else is on the path: no protobuf,
 * no record, no store, no signature, no replica selection. W1 measures it in
 * the same run as the workload, so a get's latency can be read against it.
 */
import '../src/polyfill.js'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'

const PROTOCOL = '/product-dht-bench/floor/1.0.0'

export interface Floor {
  round_trips: number
  /** bytes of each request and of each response (framed) */
  request_bytes: number
  response_bytes: number
  p50_ms: number
  p95_ms: number
  /** CPU (user + system) of the whole process per round trip, both hosts together */
  cpu_ms: number
}

async function echoHost (): Promise<Awaited<ReturnType<typeof createLibp2p>>> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()]
  })
}

/**
 * `count` sequential round trips on one stream, a request of `requestBytes`
 * answered with `responseBytes`, after `warmup` that are not counted.
 */
export async function measureFloor (count: number, requestBytes: number, responseBytes: number, warmup = 100): Promise<Floor> {
  const server = await echoHost()
  const client = await echoHost()
  try {
    const response = new Uint8Array(responseBytes).fill(9)
    await server.handle(PROTOCOL, async stream => {
      const lp = lpStream(stream)
      try {
        for (;;) {
          await lp.read()
          await lp.write(response)
        }
      } catch {
        // the client closed the stream: the run is over
      }
    })
    const stream = await client.dialProtocol(server.getMultiaddrs()[0], PROTOCOL, { signal: AbortSignal.timeout(10_000) })
    const lp = lpStream(stream)
    const request = new Uint8Array(requestBytes).fill(7)
    const roundTrip = async (): Promise<void> => {
      await lp.write(request)
      await lp.read()
    }
    for (let i = 0; i < warmup; i++) await roundTrip()
    const latencies: number[] = []
    const cpu = process.cpuUsage()
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      await roundTrip()
      latencies.push(performance.now() - started)
    }
    const used = process.cpuUsage(cpu)
    await stream.close()
    latencies.sort((a, b) => a - b)
    const at = (p: number): number => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(3))
    return { round_trips: count, request_bytes: requestBytes, response_bytes: responseBytes, p50_ms: at(0.5), p95_ms: at(0.95), cpu_ms: Number(((used.user + used.system) / 1000 / count).toFixed(3)) }
  } finally {
    await client.stop()
    await server.stop()
  }
}
