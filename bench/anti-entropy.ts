/**
 * What one anti-entropy session costs between two neighbours holding
 * RECORDS records (default 10 000): SYNC messages and bytes, and records
 * moved, when nothing changed, when 1 % changed, and when one side is empty.
 * In memory (real stores and handlers, protobuf-encoded messages), so the
 * figures are the protocol's, not the network's.
 *
 *   npm run bench:sync            RECORDS=10000 by default
 */
import { syncPair } from '../test/helpers/sync-pair.js'
import type { SyncPair } from '../test/helpers/sync-pair.js'

const RECORDS = Number(process.env.RECORDS ?? 10_000)

async function pairHolding (sides: Array<'a' | 'b'>): Promise<SyncPair> {
  const pair = await syncPair()
  for (let i = 0; i < RECORDS; i++) {
    const record = await pair.record(`SYNC-${i}`, 1)
    for (const s of sides) await pair[s].store.put(record)
  }
  return pair
}

async function measure (name: string, pair: SyncPair): Promise<void> {
  const started = performance.now()
  const outcome = await pair.sync()
  const ms = performance.now() - started
  if (!pair.converged()) throw new Error(`${name}: the two sides differ after the session`)
  const line = { scenario: name, records: RECORDS, syncMessages: outcome.syncMessages * 2, syncBytes: outcome.syncBytes, transfers: outcome.pushed + outcome.pulled, totalMessages: outcome.requests * 2, totalBytes: outcome.bytes, ms: Math.round(ms) }
  console.log(JSON.stringify(line))
}

const same = await pairHolding(['a', 'b'])
await measure('nothing changed', same)

const changed = await pairHolding(['a', 'b'])
const onePercent = Math.round(RECORDS / 100)
for (let i = 0; i < onePercent; i++) {
  // half newer on one side, half on the other, spread over the keyspace
  const side = i % 2 === 0 ? changed.a : changed.b
  await side.store.put(await changed.record(`SYNC-${i * 97 % RECORDS}`, 2))
}
await measure('1 % changed', changed)

await measure('one side empty', await pairHolding(['a']))
