/**
 * Joining a network through bootstrap peers: dial them and wait until they
 * are identified, so that the record-peer view holds them before the first
 * put or get; then (routingTableFilled) a lookup of this node's own id fills
 * the DHT's routing table and makes the node known to its neighbours. When
 * none can be reached the caller gets every address with its reason; a node
 * started alone keeps trying in the background.
 */
import './polyfill.js'
import { setMaxListeners } from 'node:events'
import { multiaddr } from '@multiformats/multiaddr'
import { waitForIdentify } from './discovery/identified.js'
import type { ProductHost } from './host.js'
import type { BootstrapFailure } from './errors.js'
import type { AbortOptions, Logger } from '@libp2p/interface'

/**
 * Dials of one bootstrap address that time out or are reset before the join
 * gives up on it (each timeout takes libp2p's dial timeout; the join's own
 * timeout bounds them too). A bootstrap peer busy with many joins at once (or
 * sharing a crowded process with them) can miss a few in a row and still
 * answer the next.
 */
const MAX_DIAL_ATTEMPTS = 10

/** ms after which a DHT that still holds no bootstrap peer is taken to have dropped their addresses. */
const ROUTING_TABLE_GRACE = 5_000

/** ms the join waits for kad-dht's own first self-lookup before it runs one. */
const SELF_QUERY_WAIT = 10_000

/** What kad-dht dispatches on the host when a lookup of the node's own id ended. */
const SELF_QUERY_EVENT = 'kad-dht:query:self'

/** Background retries of a node started alone: the first after 5 s, doubling up to a minute. */
const RETRY_FIRST = 5_000
const RETRY_MAX = 60_000
/** ms one background try may take. */
const JOIN_RETRY_TIMEOUT = 30_000

export interface JoinResult {
  /** bootstrap addresses dialled */
  reached: number
  /** the addresses that could not be, with why */
  failures: BootstrapFailure[]
}

export interface JoinOptions extends AbortOptions {
  /** ms the join may take; once a bootstrap peer answered, the node goes on with what it found by then */
  timeout: number
}

/** Dials every bootstrap address; resolves to how many answered and why the others did not. */
/**
 * Dials every bootstrap address at once; resolves to how many answered and
 * why the others did not. Only the caller's `signal` rejects it: a dial cut
 * off by `deadline` is a failure like any other, named with its address.
 */
export async function dialBootstrap (host: ProductHost, bootstrap: string[], options: AbortOptions & { deadline?: AbortSignal } = {}): Promise<JoinResult> {
  const signals = [options.signal, options.deadline].filter(s => s != null)
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
  // one signal bounds every dial (and redial) of the join: many listeners are expected
  if (signal !== undefined) setMaxListeners(Infinity, signal)
  const dials = await Promise.allSettled(bootstrap.map(async address => dialPatiently(host, address, signal)))
  options.signal?.throwIfAborted()
  const failures: BootstrapFailure[] = []
  dials.forEach((dial, i) => {
    if (dial.status === 'rejected') {
      const reason = options.deadline?.aborted === true ? 'no answer within the join timeout' : describeDialError(dial.reason)
      failures.push({ address: bootstrap[i], reason })
    }
  })
  return { reached: bootstrap.length - failures.length, failures }
}

/**
 * Dials `address`, and dials again while `signal` leaves time after a dial
 * that timed out or that the peer reset: a peer busy with many joins at once
 * misses some and resets those past its limit of connections being set up
 * (libp2p's maxIncomingPendingConnections). After a reset the next dial waits
 * a random pause that doubles each time, so that the joins turned away do not
 * come back all at once. A refused or otherwise failed dial is final at once:
 * a wrong address must not cost the whole join timeout.
 */
async function dialPatiently (host: ProductHost, address: string, signal?: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await host.dial(multiaddr(address), { signal })
      return
    } catch (err) {
      const busy = isBusy(err)
      if (signal?.aborted === true || (!busy && !isTimeout(err)) || attempt >= MAX_DIAL_ATTEMPTS) {
        throw err
      }
      if (busy) await sleep(RESET_PAUSE * 2 ** Math.min(attempt - 1, 6) * (0.5 + Math.random()), signal)
    }
  }
}

/** ms before the first redial of a peer that reset the dial; it doubles with each reset, and a random half more or less */
const RESET_PAUSE = 100

/** All the failures of a dial, one per address tried (libp2p wraps several in an AggregateError). */
function failuresOf (err: unknown): unknown[] {
  const inner = (err as { errors?: unknown[] }).errors
  return Array.isArray(inner) && inner.length > 0 ? inner : [err]
}

function isTimeout (err: unknown): boolean {
  return failuresOf(err).every(e => (e as Error).name === 'TimeoutError' || /timed? ?out/i.test((e as Error).message))
}

/** Reset by the peer (ECONNRESET, EPIPE) on every address: it is there, but turned the connection away. */
function isBusy (err: unknown): boolean {
  return failuresOf(err).every(e => /\b(ECONNRESET|EPIPE)\b/.test(`${(e as { code?: string }).code ?? ''} ${(e as Error).message}`))
}

/** A dial error as one line: libp2p wraps the failures of several addresses in an AggregateError. */
function describeDialError (err: unknown): string {
  return [...new Set(failuresOf(err).map(e => (e as Error).message))].join('; ')
}

/**
 * Dials the bootstrap peers and, when one answered, waits until the peers
 * connected are identified, so that the record-peer view holds those that
 * speak the record protocol. Filling the routing table (routingTableFilled)
 * is left to the caller: a node that met a record peer can put and get
 * before it ends. Rejects only when `signal` aborts; a timeout before any
 * bootstrap peer answered leaves them all as failures.
 */
export async function joinNetwork (host: ProductHost, bootstrap: string[], log: Logger, options: JoinOptions): Promise<JoinResult> {
  const deadline = AbortSignal.timeout(options.timeout)
  const result = await dialBootstrap(host, bootstrap, { signal: options.signal, deadline })
  for (const failure of result.failures) {
    log('could not reach bootstrap peer %s - %s', failure.address, failure.reason)
  }
  if (result.reached > 0) {
    // resolves after a grace period at most: peers not identified by then join the view later
    await waitForIdentify({ getConnections: () => host.getConnections(), peerStore: host.peerStore, events: host }, { signal: options.signal })
  }
  return result
}

/**
 * Resolves once the routing table has been filled by a lookup of this
 * node's own id. kad-dht runs one by itself once its table holds a peer,
 * and not before its first delay (2 s after start, see host.ts); waiting
 * for it costs nothing where a second lookup would dial the same peers
 * again. When it does not report within SELF_QUERY_WAIT (it gave up before
 * a crowded process identified the bootstrap peer, say), runs one of its own.
 */
export async function routingTableFilled (host: ProductHost, log: Logger, options: AbortOptions): Promise<void> {
  if (!await selfQueryRan(host, SELF_QUERY_WAIT, options)) {
    log('no self-lookup of kad-dht within %d ms; running one', SELF_QUERY_WAIT)
    await fillRoutingTable(host, log, options)
  }
}

/** Resolves to true at kad-dht's next `kad-dht:query:self` event, to false after `ms`; rejects when `signal` aborts. */
async function selfQueryRan (host: ProductHost, ms: number, options: AbortOptions): Promise<boolean> {
  options.signal?.throwIfAborted()
  const events = host as unknown as EventTarget
  const { promise, resolve, reject } = Promise.withResolvers<boolean>()
  const onSelfQuery = (): void => { resolve(true) }
  const onAbort = (): void => { reject(options.signal?.reason) }
  const timer = setTimeout(() => { resolve(false) }, ms)
  events.addEventListener(SELF_QUERY_EVENT, onSelfQuery)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await promise
  } finally {
    clearTimeout(timer)
    events.removeEventListener(SELF_QUERY_EVENT, onSelfQuery)
    options.signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * A lookup of this node's own id: fills the routing table and connects the
 * closest peers. kad-dht waits by itself (on its routing table's events)
 * until a first peer is in the table; if none is after a grace period, the
 * DHT dropped every bootstrap address (addressFilter 'public' on loopback or
 * a LAN, say) and waiting longer is pointless.
 */
export async function fillRoutingTable (host: ProductHost, log: Logger, options: AbortOptions): Promise<void> {
  const dht = host.services.dht
  const empty = new AbortController()
  const check = setTimeout(() => {
    if (dht.routingTable.size === 0) {
      empty.abort(new Error('the DHT kept none of the bootstrap peers'))
    }
  }, ROUTING_TABLE_GRACE)
  const signal = options.signal == null ? empty.signal : AbortSignal.any([options.signal, empty.signal])
  setMaxListeners(Infinity, signal)
  try {
    for await (const event of dht.getClosestPeers(host.peerId.toMultihash().bytes, { signal })) {
      void event
    }
  } catch (err) {
    options.signal?.throwIfAborted()
    if (!empty.signal.aborted) {
      throw err
    }
    log.error('the DHT kept none of the bootstrap peers (does addressFilter drop their addresses?)')
  } finally {
    clearTimeout(check)
  }
}

/**
 * Keeps dialling the bootstrap peers of a node that started alone, with a
 * growing pause, until one answers or the node stops; then joins through it
 * and calls `onJoined`.
 */
export class BootstrapRetry {
  private readonly host: ProductHost
  private readonly bootstrap: string[]
  private readonly log: Logger
  private readonly onJoined: (options: AbortOptions) => Promise<void>
  private readonly controller = new AbortController()
  private running?: Promise<void>

  constructor (host: ProductHost, bootstrap: string[], log: Logger, onJoined: (options: AbortOptions) => Promise<void>) {
    this.host = host
    this.bootstrap = bootstrap
    this.log = log
    this.onJoined = onJoined
    setMaxListeners(Infinity, this.controller.signal)
  }

  start (): void {
    this.running = this.loop().catch(err => {
      if (!this.controller.signal.aborted) this.log.error('retrying the bootstrap peers failed - %e', err)
    })
  }

  async stop (): Promise<void> {
    this.controller.abort()
    await this.running
  }

  private async loop (): Promise<void> {
    const signal = this.controller.signal
    for (let pause = RETRY_FIRST; !signal.aborted; pause = Math.min(2 * pause, RETRY_MAX)) {
      await sleep(pause, signal)
      if (signal.aborted) return
      const result = await joinNetwork(this.host, this.bootstrap, this.log, { signal, timeout: JOIN_RETRY_TIMEOUT })
      if (result.reached > 0) {
        this.log('joined through a bootstrap peer after running alone')
        await this.onJoined({ signal })
        return
      }
      this.log('no bootstrap peer reachable yet; next try in %d s', Math.min(2 * pause, RETRY_MAX) / 1000)
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done (): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}
