/**
 * Generates X25519 key pairs with the host's Noise crypto while garbage
 * piles up (run with a tiny young generation, so that collections come
 * often), and agrees with each. Run by noise-crypto.test.ts in a child
 * process: a deadlock inside Node's crypto would hang it, not fail it.
 */
import { noiseCrypto } from '../../src/noise-crypto.js'

const crypto = noiseCrypto()
const count = Number(process.env.KEY_PAIRS ?? 20_000)
const peer = crypto.generateX25519KeyPair()
let garbage: number[][] = []
for (let i = 0; i < count; i++) {
  const pair = crypto.generateX25519KeyPair()
  crypto.generateX25519SharedKey(pair.privateKey, peer.publicKey)
  garbage.push(new Array(50).fill(i))
  if (garbage.length > 1000) garbage = []
}
console.log(JSON.stringify({ keyPairs: count }))
