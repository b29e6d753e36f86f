/**
 * The soak's end: every product the soak wrote is read from a few random
 * live nodes and compared with its last acknowledged write (beliefs.ts). A
 * read that rejects is tried once more from the same node; one that rejects
 * again leaves that read unverified. The products that failed are read again
 * after every node ran a maintenance pass (settle()): what still fails then
 * is lost, not merely not yet repaired.
 */
import { Beliefs } from './beliefs.js'
import type { Belief, ReadVerdict } from './beliefs.js'
import type { SoakNetwork } from './network.js'
import type { ProductRecord } from '../../src/index.js'

export interface Verification {
  products: number
  reads: number
  /** reads that matched the last acknowledged write */
  matched: number
  /** reads that did not, by verdict */
  mismatches: Partial<Record<Exclude<ReadVerdict, 'ok'>, number>>
  /** products at least one read got wrong: each an acknowledged write not read back */
  lostProducts: number
  /** reads that rejected twice, by error name */
  unverified: Record<string, number>
  /** a few of the wrong reads, for the log */
  examples: string[]
  /** the products with a wrong or unverified read */
  failing: Belief[]
  seconds: number
  /** the verification was cut short (a second Ctrl-C) */
  interrupted: boolean
}

const READ_TIMEOUT = 20_000
const CONCURRENCY = 16

/** The products a check reads: those with an acknowledged write, or a rejected one that may have landed. */
export function checkable (beliefs: Beliefs): Belief[] {
  return beliefs.all().filter(b => b.version > 0 || b.unsure !== undefined)
}

export async function verifyBeliefs (products: Belief[], network: SoakNetwork, readers: number, signal: AbortSignal, log: (message: string) => void): Promise<Verification> {
  const started = performance.now()
  const result: Verification = { products: products.length, reads: 0, matched: 0, mismatches: {}, lostProducts: 0, unverified: {}, examples: [], failing: [], seconds: 0, interrupted: false }
  let next = 0
  let lastProgress = performance.now()
  const verifyOne = async (belief: Belief): Promise<void> => {
    let lost = false
    let unverified = false
    for (const reader of network.sample(readers)) {
      let outcome: { read: ProductRecord | undefined } | { error: string } | undefined
      for (let attempt = 1; attempt <= 2 && !signal.aborted; attempt++) {
        try {
          outcome = { read: await reader.node.getRecord(belief.id, { signal: AbortSignal.any([signal, AbortSignal.timeout(READ_TIMEOUT)]) }) }
          break
        } catch (err) {
          outcome = { error: err instanceof Error ? err.name : String(err) }
        }
      }
      if (outcome === undefined) return
      result.reads++
      if ('error' in outcome) {
        result.unverified[outcome.error] = (result.unverified[outcome.error] ?? 0) + 1
        unverified = true
        continue
      }
      const verdict = Beliefs.judge(belief, outcome.read)
      if (verdict === 'ok') {
        result.matched++
        continue
      }
      lost = true
      result.mismatches[verdict] = (result.mismatches[verdict] ?? 0) + 1
      if (result.examples.length < 20) {
        const expected = belief.deleted ? `deleted at version ${belief.version}` : `version ${belief.version}`
        result.examples.push(`${belief.id} from ${reader.name}: ${verdict} (read ${outcome.read?.version ?? 'nothing'}, acknowledged ${expected}${belief.unsure === undefined ? '' : `, then a rejected ${belief.unsure}`})`)
      }
    }
    if (lost) result.lostProducts++
    if (lost || unverified) result.failing.push(belief)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < products.length && !signal.aborted) {
      await verifyOne(products[next++])
      if (performance.now() - lastProgress > 15_000) {
        lastProgress = performance.now()
        log(`verify: ${next} of ${products.length} products read`)
      }
    }
  }))
  result.interrupted = signal.aborted
  result.seconds = round((performance.now() - started) / 1000)
  return result
}

/**
 * A maintenance pass on every live node, a few at a time, each given
 * `timeout` ms (a pass that takes longer goes on in the background, and is
 * counted as not finished).
 */
export async function settle (network: SoakNetwork, timeout: number, signal: AbortSignal): Promise<{ passes: number, unfinished: number, seconds: number }> {
  const started = performance.now()
  const nodes = [...network.live]
  let unfinished = 0
  let next = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < nodes.length && !signal.aborted) {
      const node = nodes[next++].node
      let timer: ReturnType<typeof setTimeout> | undefined
      const finished = await Promise.race([
        node.maintain().then(() => true, () => false),
        new Promise<boolean>(resolve => { timer = setTimeout(() => { resolve(false) }, timeout) })
      ])
      clearTimeout(timer)
      if (!finished) unfinished++
    }
  }))
  return { passes: nodes.length, unfinished, seconds: round((performance.now() - started) / 1000) }
}

const round = (value: number): number => Number(value.toFixed(1))
