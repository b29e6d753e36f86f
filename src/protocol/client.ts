/**
 * Outbound side of the record protocol. A request waits for its response on
 * a stream of its own; afterwards the stream goes back to a small per-peer
 * pool, so the next request to that peer skips opening and negotiating a
 * stream. A pooled stream that turns out to be gone is dropped and the
 * request goes out once more on a new one (every request is idempotent).
 *
 * Backpressure: at most MAX_REQUESTS_IN_FLIGHT_PER_PEER requests to one peer
 * are on the wire at once (the rest wait their turn here, within their
 * signal), well under the streams a peer admits by default; and a request
 * that meets BUSY waits the time the peer names, keeping its turn, so that
 * a bulk writer slows down to what the peer admits.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ProtocolError } from '../errors.js'
import { Request, Response } from '../model/messages.js'
import { CLIENT_IDLE_STREAM_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, MAX_BUSY_PATIENCE, MAX_BUSY_WAIT, MIN_BUSY_WAIT, MAX_REQUESTS_IN_FLIGHT_PER_PEER, MAX_STREAMS_PER_CONNECTION, RECORD_PROTOCOL } from './constants.js'
import { Deadline } from './deadline.js'
import { frameStream } from './framing.js'
import { InFlightLimit } from './in-flight.js'
import type { AbortOptions, ComponentLogger, Logger, NewStreamOptions, PeerId, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'

export interface RecordClientInit {
  /** protocol id to speak (default `/product-dht/record/1.0.0`) */
  protocol?: string
  /** ms one request may spend on the wire, dials included, BUSY waits not (default 5000) */
  requestTimeout?: number
  /** idle streams kept per peer for reuse (default 8; 0 opens a stream for every request) */
  maxIdleStreamsPerPeer?: number
  /** ms one request may spend, in all, waiting out BUSY answers (default 10000) */
  busyPatience?: number
}

export interface RecordClientComponents {
  /** libp2p's connection manager (the part this client uses) */
  connectionManager: {
    openStream(peer: PeerId, protocol: string, options?: NewStreamOptions): Promise<Stream>
  }
  logger: ComponentLogger
}

export interface SendOptions extends AbortOptions {
  /**
   * false: close the stream once the answer came instead of keeping it for
   * the next request to the peer (a one-off request, such as a join's PEERS,
   * would leave it idle at the peer until its idle timeout). Default true.
   */
  pool?: boolean
}

interface PooledStream {
  stream: Stream
  lp: LengthPrefixedStream<Stream>
  idleSince: number
}

export class RecordClient {
  private readonly components: RecordClientComponents
  private readonly protocol: string
  private readonly requestTimeout: number
  private readonly maxIdle: number
  private readonly busyPatience: number
  private readonly idle = new Map<string, PooledStream[]>()
  private readonly inFlight = new InFlightLimit(MAX_REQUESTS_IN_FLIGHT_PER_PEER)
  private readonly log: Logger

  constructor (components: RecordClientComponents, init: RecordClientInit = {}) {
    this.components = components
    this.protocol = init.protocol ?? RECORD_PROTOCOL
    this.requestTimeout = init.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
    this.maxIdle = init.maxIdleStreamsPerPeer ?? 8
    this.busyPatience = init.busyPatience ?? MAX_BUSY_PATIENCE
    this.log = components.logger.forComponent('product-dht:protocol:client')
  }

  /**
   * Sends `request` to `peer` and returns its response; rejects on any
   * transport or decode failure, or when the request spent requestTimeout ms
   * on the wire. It first waits for one of the peer's in-flight slots. BUSY
   * answers are waited out, holding the slot, each wait at most
   * MAX_BUSY_WAIT ms and `busyPatience` ms in all; after that the BUSY
   * answer is returned. Neither kind of wait counts against the request
   * timeout: bound a whole call with `options.signal`.
   */
  async send (peer: PeerId, request: Request, options: SendOptions = {}): Promise<Response> {
    const bytes = Request.encode(request)
    return this.takeTurn(peer, options, async () => {
      let budget = this.requestTimeout
      let patience = this.busyPatience
      for (;;) {
        const started = Date.now()
        const deadline = new Deadline(options.signal ?? undefined)
        let response: Response
        try {
          response = await this.sendOnce(peer, bytes, deadline.arm(budget), options.pool !== false)
        } finally {
          deadline.clear()
          budget -= Date.now() - started
        }
        const wait = Math.max(MIN_BUSY_WAIT, response.retryAfter)
        if (response.status !== Response.Status.BUSY || wait > MAX_BUSY_WAIT || wait > patience || budget <= 0) {
          return response
        }
        patience -= wait
        this.log('%p is busy, asking again in %d ms', peer, wait)
        // the slot is kept while waiting: the requests queued behind this one
        // wait too, which paces this node to what the peer admits. (A signal
        // derived per wait: many waits on one caller's signal would each add
        // an abort listener to it.)
        await sleep(wait, undefined, options.signal == null ? {} : { signal: AbortSignal.any([options.signal]) })
      }
    })
  }

  /** Closes every idle stream. */
  close (): void {
    for (const entries of this.idle.values()) {
      for (const { stream } of entries) {
        stream.abort(new Error('record client closed'))
      }
    }
    this.idle.clear()
  }

  /** Runs `fn` once fewer than MAX_REQUESTS_IN_FLIGHT_PER_PEER requests to `peer` are on the wire. */
  private async takeTurn (peer: PeerId, options: AbortOptions, fn: () => Promise<Response>): Promise<Response> {
    const release = await this.inFlight.acquire(peer.toString(), options.signal)
    try {
      return await fn()
    } finally {
      release()
    }
  }

  private async sendOnce (peer: PeerId, bytes: Uint8Array, signal: AbortSignal, pool: boolean): Promise<Response> {
    const pooled = this.takeIdle(peer)
    if (pooled !== undefined) {
      try {
        // a stream that was idle already goes back to the pool whatever `pool` says
        return await this.exchange(peer, pooled, bytes, signal, true)
      } catch (err) {
        signal.throwIfAborted()
        // a peer may reset a stream that sat idle in the pool: routine, no stack trace
        this.log('pooled stream to %p failed, opening another - %s', peer, (err as Error).message)
      }
    }
    // libp2p's default cap on outbound streams per protocol (64) would refuse
    // streams that our own in-flight limit and idle pool already bound
    const stream = await this.components.connectionManager.openStream(peer, this.protocol, { signal, maxOutboundStreams: MAX_STREAMS_PER_CONNECTION })
    return this.exchange(peer, { stream, lp: frameStream(stream), idleSince: 0 }, bytes, signal, pool)
  }

  private async exchange (peer: PeerId, entry: PooledStream, bytes: Uint8Array, signal: AbortSignal, pool: boolean): Promise<Response> {
    try {
      await entry.lp.write(bytes, { signal })
      const frame = await entry.lp.read({ signal })
      let response: Response
      try {
        response = Response.decode(frame)
      } catch (err) {
        throw new ProtocolError(`Malformed response from ${peer.toString()}: ${(err as Error).message}`)
      }
      if (response.status === Response.Status.TOO_LARGE || !pool) {
        // the server ends the stream after TOO_LARGE: close our end too
        void entry.stream.close().catch(err => { entry.stream.abort(err) })
      } else {
        // a stream the server ended after refusing it (BUSY on its first
        // request) has its remote end closed by the time it is taken again,
        // and takeIdle drops it; one the server kept is reused
        this.putIdle(peer, entry)
      }
      return response
    } catch (err) {
      entry.stream.abort(err as Error)
      throw err
    }
  }

  private takeIdle (peer: PeerId): PooledStream | undefined {
    const entries = this.idle.get(peer.toString())
    const now = Date.now()
    while (entries !== undefined && entries.length > 0) {
      const entry = entries.pop()!
      const usable = entry.stream.status === 'open' && entry.stream.writeStatus === 'writable' && entry.stream.remoteWriteStatus === 'writable'
      if (usable && now - entry.idleSince < CLIENT_IDLE_STREAM_TIMEOUT) {
        return entry
      }
      entry.stream.abort(new Error('idle stream expired'))
    }
    return undefined
  }

  private putIdle (peer: PeerId, entry: PooledStream): void {
    const key = peer.toString()
    const entries = this.idle.get(key) ?? []
    if (entries.length >= this.maxIdle) {
      void entry.stream.close().catch(err => { entry.stream.abort(err) })
      return
    }
    entry.idleSince = Date.now()
    entries.push(entry)
    this.idle.set(key, entries)
  }
}
