/**
 * CPU per Noise handshake, with @libp2p/noise's default crypto and with the
 * host's (src/noise-crypto.ts), alternating in one run: ROUNDS rounds of
 * DIALS connections opened and closed between two hosts on loopback.
 *
 *   npm run bench:handshake          (ROUNDS=5 DIALS=100)
 */
import '../src/polyfill.js'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { noiseCrypto } from '../src/noise-crypto.js'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DIALS = Number(process.env.DIALS ?? 100)

async function host (ours: boolean) {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise(ours ? { crypto: noiseCrypto() } : {})],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 1000 }
  })
}

/** CPU ms (user + system, both hosts: they share this process) per connection opened and closed. */
async function measure (ours: boolean): Promise<number> {
  const [a, b] = [await host(ours), await host(ours)]
  try {
    const cpu = process.cpuUsage()
    for (let i = 0; i < DIALS; i++) {
      await a.dial(b.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
      await a.hangUp(b.peerId)
    }
    const used = process.cpuUsage(cpu)
    return (used.user + used.system) / 1000 / DIALS
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}

const results: Record<'default' | 'ours', number[]> = { default: [], ours: [] }
for (let round = 0; round < ROUNDS; round++) {
  results.default.push(await measure(false))
  results.ours.push(await measure(true))
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
console.log(JSON.stringify({ dials: DIALS, rounds: ROUNDS, cpuMsPerConnection: { default: median(results.default), ours: median(results.ours) }, ratio: median(results.default) / median(results.ours) }))
