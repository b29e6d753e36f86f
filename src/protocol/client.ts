/**
 * Outbound side of the record protocol. A request waits for its response on
 * a stream of its own; afterwards the stream goes back to a small per-peer
 * pool, so the next request to that peer skips opening and negotiating a
 * stream. A pooled stream that turns out to be gone is dropped and the
 * request goes out once more on a new one (every request is idempotent).
 * A peer that answers BUSY is asked again after the wait it names, a few
 * times, so a bulk writer slows down instead of failing.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { logger } from '@libp2p/logger'
import { ProtocolError } from '../errors.js'
import { Request, Response } from '../model/messages.js'
import { CLIENT_IDLE_STREAM_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, MAX_BUSY_RETRIES, MAX_BUSY_WAIT, RECORD_PROTOCOL } from './constants.js'
import { frameStream } from './framing.js'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'

const log = logger('product-dht:protocol:client')

export interface RecordClientInit {
  /** protocol id to speak (default `/product-dht/record/1.0.0`) */
  protocol?: string
  /** ms one request may take, dial included (default 5000) */
  requestTimeout?: number
  /** idle streams kept per peer for reuse (default 8; 0 opens a stream for every request) */
  maxIdleStreamsPerPeer?: number
}

export interface RecordClientComponents {
  dialProtocol(peer: PeerId, protocol: string, options?: AbortOptions): Promise<Stream>
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
  private readonly idle = new Map<string, PooledStream[]>()

  constructor (components: RecordClientComponents, init: RecordClientInit = {}) {
    this.components = components
    this.protocol = init.protocol ?? RECORD_PROTOCOL
    this.requestTimeout = init.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
    this.maxIdle = init.maxIdleStreamsPerPeer ?? 8
  }

  /**
   * Sends `request` to `peer` and returns its response; rejects on any
   * transport or decode failure. BUSY answers are waited out, at most
   * MAX_BUSY_RETRIES times, each wait capped at MAX_BUSY_WAIT ms; the last
   * one is returned. Each attempt has the request timeout of its own.
   */
  async send (peer: PeerId, request: Request, options: AbortOptions = {}): Promise<Response> {
    const bytes = Request.encode(request)
    for (let retries = 0; ; retries++) {
      const timeout = AbortSignal.timeout(this.requestTimeout)
      const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
      const response = await this.sendOnce(peer, bytes, signal)
      if (response.status !== Response.Status.BUSY || retries >= MAX_BUSY_RETRIES || response.retryAfter > MAX_BUSY_WAIT) {
        return response
      }
      log('%p is busy, asking again in %d ms', peer, response.retryAfter)
      await sleep(response.retryAfter, undefined, options.signal == null ? {} : { signal: options.signal })
    }
  }

  private async sendOnce (peer: PeerId, bytes: Uint8Array, signal: AbortSignal): Promise<Response> {
    const pooled = this.takeIdle(peer)
    if (pooled !== undefined) {
      try {
        return await this.exchange(peer, pooled, bytes, signal)
      } catch (err) {
        signal.throwIfAborted()
        log('pooled stream to %p failed, opening another - %e', peer, err)
      }
    }
    const stream = await this.components.dialProtocol(peer, this.protocol, { signal })
    return this.exchange(peer, { stream, lp: frameStream(stream), idleSince: 0 }, bytes, signal)
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

  private async exchange (peer: PeerId, entry: PooledStream, bytes: Uint8Array, signal: AbortSignal): Promise<Response> {
    try {
      await entry.lp.write(bytes, { signal })
      const frame = await entry.lp.read({ signal })
      let response: Response
      try {
        response = Response.decode(frame)
      } catch (err) {
        throw new ProtocolError(`Malformed response from ${peer.toString()}: ${(err as Error).message}`)
      }
      if (response.status === Response.Status.BUSY || response.status === Response.Status.TOO_LARGE) {
        // the server ends the stream after these (when it refused the stream itself)
        void entry.stream.close().catch(err => { entry.stream.abort(err) })
      } else {
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
      if (entry.stream.status === 'open' && entry.stream.writeStatus === 'writable' && now - entry.idleSince < CLIENT_IDLE_STREAM_TIMEOUT) {
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

