/**
 * The soak's mixed load: RATE operations a second, each from a random live
 * node, drawn from a fixed mix: puts of new products, updates and deletes of
 * existing ones, gets of products the soak wrote (found, or deleted) and of
 * ids nobody wrote. Every product is signed by one of a few seller keys, so
 * any node may update or delete it (in an open catalog the first signer
 * owns a product).
 *
 * Open loop: operations start on the clock, not when the previous one ends;
 * past MAX_IN_FLIGHT the scheduler skips and counts instead, so an overloaded
 * process shows as skipped operations, not as a growing backlog. Every
 * operation's promise ends in a catch of its own.
 */
import { Beliefs } from './beliefs.js'
import type { Belief, ReadVerdict } from './beliefs.js'
import type { SoakNetwork, SoakNode } from './network.js'
import type { PrivateKey } from '@libp2p/interface'

export type OperationKind = 'put' | 'update' | 'delete' | 'get' | 'getMissing'

/** Shares of the mix, out of 100. */
const MIX: Array<[OperationKind, number]> = [['put', 20], ['update', 20], ['delete', 5], ['get', 45], ['getMissing', 10]]

/** ms between scheduler ticks. */
const TICK = 20

/** What the operations that finished in one report interval did. */
export class OperationWindow {
  readonly done: Record<OperationKind, number> = { put: 0, update: 0, delete: 0, get: 0, getMissing: 0 }
  /** gets that found the product */
  found = 0
  /** rejections, by `operation:ErrorName` */
  readonly errors = new Map<string, number>()
  /** gets whose answer differs from the last acknowledged write (the product idle meanwhile), by verdict */
  readonly wrongReads = new Map<ReadVerdict, number>()
  /** operations not started because MAX_IN_FLIGHT were running */
  skipped = 0
  /** acknowledged writes whose version was below the previous acknowledged one's (lost as they were acknowledged) */
  versionsBelow = 0
  /** ms of the operations that succeeded: gets (both kinds), puts (new and updates), deletes */
  readonly latency: { get: number[], put: number[], delete: number[] } = { get: [], put: [], delete: [] }

  get operations (): number {
    return Object.values(this.done).reduce((a, b) => a + b, 0)
  }

  get errorCount (): number {
    return [...this.errors.values()].reduce((a, b) => a + b, 0)
  }
}

export interface LoadInit {
  rate: number
  maxInFlight: number
  opTimeout: number
  sellers: PrivateKey[]
  network: SoakNetwork
  beliefs: Beliefs
  log: (message: string) => void
}

export class MixedLoad {
  private readonly init: LoadInit
  private window = new OperationWindow()
  private readonly running = new Set<Promise<void>>()
  private writes = 0
  private missing = 0
  private wrongReadsLogged = 0
  private belowLogged = 0

  constructor (init: LoadInit) {
    this.init = init
  }

  /** Operations that finished since the last call. */
  takeWindow (): OperationWindow {
    const window = this.window
    this.window = new OperationWindow()
    return window
  }

  get inFlight (): number {
    return this.running.size
  }

  /**
   * Starts operations on the clock until `stop` aborts, then waits for the
   * ones running; `abort` cuts those short (a second Ctrl-C).
   */
  async run (stop: AbortSignal, abort: AbortSignal): Promise<void> {
    let credit = 0
    let last = performance.now()
    while (!stop.aborted) {
      await sleep(TICK, stop)
      const now = performance.now()
      credit += (now - last) / 1000 * this.init.rate
      last = now
      while (credit >= 1 && !stop.aborted) {
        credit--
        if (this.running.size >= this.init.maxInFlight) {
          this.window.skipped++
          continue
        }
        const operation = this.runOne(pick(), abort)
        this.running.add(operation)
        void operation.finally(() => { this.running.delete(operation) })
      }
    }
    await Promise.allSettled([...this.running])
  }

  /** Never rejects: every outcome is counted in the window. */
  private async runOne (kind: OperationKind, abort: AbortSignal): Promise<void> {
    const { beliefs, network } = this.init
    let belief: Belief | undefined
    if (kind === 'update' || kind === 'delete') {
      belief = beliefs.take(b => b.version > 0 && !b.deleted)
      if (belief === undefined) kind = 'put'
    } else if (kind === 'get') {
      belief = beliefs.take(b => b.version > 0)
      if (belief === undefined) kind = 'getMissing'
    }
    if (kind === 'put') belief = beliefs.takeNew()
    const node = network.acquire()
    const deadline = new Deadline(this.init.opTimeout, abort)
    const started = performance.now()
    try {
      await this.operate(kind, node, belief, deadline.signal)
      const ms = performance.now() - started
      const window = this.window
      window.done[kind]++
      window.latency[kind === 'get' || kind === 'getMissing' ? 'get' : kind === 'delete' ? 'delete' : 'put'].push(ms)
    } catch (err) {
      const name = err instanceof Error ? err.name : typeof err
      const key = `${kind}:${name}`
      this.window.errors.set(key, (this.window.errors.get(key) ?? 0) + 1)
      if (belief !== undefined && (kind === 'put' || kind === 'update' || kind === 'delete')) {
        beliefs.rejected(belief, kind === 'delete' ? 'delete' : 'put')
      }
    } finally {
      deadline.clear()
      network.release(node)
      if (belief !== undefined) beliefs.release(belief)
    }
  }

  private async operate (kind: OperationKind, at: SoakNode, belief: Belief | undefined, signal: AbortSignal): Promise<void> {
    const { sellers } = this.init
    const node = at.node
    if (kind === 'getMissing') {
      const id = `SOAK-NONE-${this.missing++}`
      const read = await node.getRecord(id, { signal })
      if (read !== undefined) throw new FoundUnwrittenError(`${id}, never written, was found`)
      return
    }
    if (belief === undefined) throw new Error(`${kind} without a product`)
    const publisherKey = sellers[belief.seller]
    if (kind === 'get') {
      const read = await node.getRecord(belief.id, { signal })
      if (read !== undefined) this.window.found++
      const verdict = Beliefs.judge(belief, read)
      if (verdict !== 'ok') this.wrongRead(verdict, at, belief, read?.version)
      return
    }
    if (kind === 'delete') {
      const receipt = await node.deleteProduct(belief.id, { signal, publisherKey })
      this.acknowledged(at, belief, receipt.version, { deleted: true })
      return
    }
    const content = this.content()
    const receipt = await node.putProduct({ id: belief.id, currency: 'EUR', ...content }, { signal, publisherKey })
    this.acknowledged(at, belief, receipt.version, { deleted: false, ...content })
  }

  private acknowledged (at: SoakNode, belief: Belief, version: number, write: Parameters<Beliefs['acknowledged']>[2]): void {
    const before = belief.version
    if (this.init.beliefs.acknowledged(belief, version, write) === 'below') {
      this.window.versionsBelow++
      if (this.belowLogged++ < 20) this.init.log(`write of ${belief.id} from ${at.name} acknowledged at version ${version}, below the ${before} acknowledged before`)
    }
  }

  private wrongRead (verdict: ReadVerdict, at: SoakNode, belief: Belief, version: number | undefined): void {
    this.window.wrongReads.set(verdict, (this.window.wrongReads.get(verdict) ?? 0) + 1)
    if (this.wrongReadsLogged++ < 20) {
      const expected = belief.deleted ? `deleted at version ${belief.version}` : `version ${belief.version}`
      this.init.log(`read of ${belief.id} from ${at.name}: ${verdict} (got ${version ?? 'nothing'}, acknowledged ${expected}${belief.unsure === undefined ? '' : `, then a rejected ${belief.unsure}`})`)
    }
  }

  /** A name and price no earlier write used, in a record of about 300 bytes (as W1's). */
  private content (): { name: string, price: string, description: string, tags: string[] } {
    const n = this.writes++
    return {
      name: `Soak product, write ${n}`,
      price: `${Math.floor(Math.random() * 1000)}.${String(n % 100).padStart(2, '0')}`,
      description: 'x'.repeat(160),
      tags: ['soak', `w${n % 7}`]
    }
  }
}

/** A get of an id nobody wrote returned a product. */
class FoundUnwrittenError extends Error {
  override readonly name = 'FoundUnwrittenError'
}

/**
 * One operation's signal: aborted after `ms`, or when `abort` is. Built by
 * hand rather than with AbortSignal.any, so that a long run leaves no
 * listener on the run-wide signal behind (cleared when the operation ends).
 */
class Deadline {
  private readonly controller = new AbortController()
  private readonly timer: ReturnType<typeof setTimeout>
  private readonly abort: AbortSignal
  private readonly onAbort = (): void => { this.controller.abort(this.abort.reason) }

  constructor (ms: number, abort: AbortSignal) {
    this.abort = abort
    this.timer = setTimeout(() => { this.controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')) }, ms)
    if (abort.aborted) this.onAbort()
    else abort.addEventListener('abort', this.onAbort, { once: true })
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  clear (): void {
    clearTimeout(this.timer)
    this.abort.removeEventListener('abort', this.onAbort)
  }
}

function pick (): OperationKind {
  let roll = Math.random() * 100
  for (const [kind, share] of MIX) {
    if ((roll -= share) < 0) return kind
  }
  return 'get'
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
