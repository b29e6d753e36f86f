/**
 * The Noise crypto the host uses: the same X25519 as @libp2p/noise's
 * default, key for key, and hosts that use it complete handshakes with
 * hosts that use the default (a go-libp2p peer, in test/interop, too).
 */
import '../../src/polyfill.js'
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { noise } from '@libp2p/noise'
import { defaultCrypto } from '@libp2p/noise/crypto'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { ping } from '@libp2p/ping'
import { createLibp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCrypto } from '../../src/noise-crypto.js'

describe('the Noise crypto of a host', () => {
  it('generates key pairs while the garbage collector runs often, without deadlocking', { timeout: 120_000 }, async () => {
    // Node 20 deadlocks when a generated key's JWK export meets the collection
    // of the job that generated it: with that pattern this child hangs within
    // a few thousand key pairs
    const script = fileURLToPath(new URL('./noise-keygen-pressure.ts', import.meta.url))
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', chunk => { output += String(chunk) })
    child.stderr.on('data', chunk => { output += String(chunk) })
    const watchdog = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    clearTimeout(watchdog)
    assert.equal(code, 0, `the key generation hung or failed (exit ${code}): ${output.slice(-2000)}`)
    assert.match(output, /"keyPairs":20000/)
  })

  it('agrees with the default on key pairs from seeds and on every shared key', () => {
    const ours = noiseCrypto()
    for (let i = 0; i < 50; i++) {
      const seed = randomBytes(32)
      const mine = ours.generateX25519KeyPairFromSeed(seed)
      assert.deepEqual(Uint8Array.from(mine.publicKey), Uint8Array.from(defaultCrypto.generateX25519KeyPairFromSeed(seed).publicKey))
      // a generated pair with the default, and one with ours: the four ways of agreeing give one key
      const theirs = defaultCrypto.generateX25519KeyPair()
      const fresh = ours.generateX25519KeyPair()
      const expected = defaultCrypto.generateX25519SharedKey(fresh.privateKey, theirs.publicKey)
      assert.deepEqual(Uint8Array.from(ours.generateX25519SharedKey(fresh.privateKey, theirs.publicKey)), Uint8Array.from(expected))
      assert.deepEqual(Uint8Array.from(ours.generateX25519SharedKey(theirs.privateKey, fresh.publicKey)), Uint8Array.from(expected))
      // keys given as lists of chunks, as the handshake may hold them
      const chunked = new Uint8ArrayList(fresh.privateKey.subarray(0, 7), fresh.privateKey.subarray(7))
      assert.deepEqual(Uint8Array.from(ours.generateX25519SharedKey(chunked, new Uint8ArrayList(theirs.publicKey))), Uint8Array.from(expected))
      // a private key it never generated (not cached) still works
      assert.deepEqual(Uint8Array.from(ours.generateX25519SharedKey(theirs.privateKey, mine.publicKey)),
        Uint8Array.from(defaultCrypto.generateX25519SharedKey(theirs.privateKey, mine.publicKey)))
    }
  })

  it('completes handshakes with hosts that use the default, both ways', async () => {
    const make = async (crypto?: ReturnType<typeof noiseCrypto>) => createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise(crypto === undefined ? {} : { crypto })],
      streamMuxers: [yamux()],
      services: { ping: ping() }
    })
    // a fresh pair each way: the dialling side starts the handshake
    for (const oursDials of [true, false]) {
      const [dialler, listener] = oursDials ? [await make(noiseCrypto()), await make()] : [await make(), await make(noiseCrypto())]
      try {
        const rtt = await dialler.services.ping.ping(listener.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
        assert.ok(rtt >= 0)
        assert.equal(dialler.getConnections(listener.peerId)[0]?.encryption, '/noise')
      } finally {
        await Promise.all([dialler.stop(), listener.stop()])
      }
    }
  })
})
