/**
 * Signing and verifying a product record: @libp2p/crypto's key classes
 * against node:crypto with cached key objects (what src/model/signature.ts
 * uses for Ed25519), measured in one run on the same record.
 *
 *   npm run bench:sign        (env OPS, default 20000)
 */
import '../src/polyfill.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { productKey } from '../src/model/keys.js'
import { validateProduct } from '../src/model/product.js'
import { createRecord, validateRecord } from '../src/model/record.js'
import { signRecord, signingPayload, verifyRecordSignature } from '../src/model/signature.js'

const OPS = Number(process.env.OPS ?? 20_000)
const key = await generateKeyPair('Ed25519')
const product = validateProduct({ id: 'P001', name: 'Widget', price: '99.99', currency: 'EUR', description: 'x'.repeat(500), tags: ['a', 'b'] })
const record = await signRecord(createRecord(productKey('P001'), product, 1n, Date.now()), key)
const payload = signingPayload(record)

async function measure (name: string, fn: () => unknown): Promise<void> {
  for (let i = 0; i < 500; i++) await fn() // warm-up
  const start = process.hrtime.bigint()
  for (let i = 0; i < OPS; i++) await fn()
  const ns = Number(process.hrtime.bigint() - start)
  console.log(JSON.stringify({ name, ops: OPS, usPerOp: +(ns / OPS / 1000).toFixed(2), opsPerSec: Math.round(OPS / (ns / 1e9)) }))
}

await measure('sign: @libp2p/crypto Ed25519 key class', async () => key.sign(payload))
await measure('sign: node:crypto, cached key object (ours)', async () => signRecord(record, key))
await measure('verify: @libp2p/crypto Ed25519 key class', async () => key.publicKey.verify(payload, record.signature))
await measure('verify: node:crypto, cached key object (ours)', () => { verifyRecordSignature(record) })
await measure('validateRecord: schema + canonical check + verify', () => validateRecord(record, record.key))
