/**
 * Inbound side of the record protocol: moves frames. A requester sends a
 * request and waits for its response, and may send more requests on the same
 * stream; each frame goes to the request handlers (handlers/), which decode,
 * validate, store and answer with a status.
 *
 * Whatever arrives, the node keeps serving: an oversized frame gets TOO_LARGE
 * without the rest of it being waited for, a malformed one INVALID, a peer over its
 * stream or request limit BUSY with a time to wait, a slow sender is cut off
 * by the request timeout, and nothing stored changes unless a valid, newer
 * record came in.
 */
import { once } from 'node:events'
import { InvalidDataLengthError, InvalidDataLengthLengthError } from '@libp2p/utils'
import { Response } from '../model/messages.js'
import { Deadline } from './deadline.js'
import { frameStream } from './framing.js'
import { PeerLimits } from './peer-limits.js'
import { reply } from './responses.js'
import { DEFAULT_IDLE_STREAM_TIMEOUT, DEFAULT_MAX_INBOUND_STREAMS_PER_PEER, DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND, DEFAULT_REQUEST_TIMEOUT, MAX_MESSAGE_SIZE, MAX_REQUESTS_PER_STREAM, MAX_STREAMS_PER_CONNECTION, RECORD_PROTOCOL } from './constants.js'
import type { FrameHooks } from './framing.js'
import type { RequestHandlers } from './handlers/index.js'
import type { AbortOptions, ComponentLogger, Connection, Logger, PeerId, Startable, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RecordServerInit {
  /** protocol id to serve (default `/product-dht/record/1.0.0`) */
  protocol?: string
  /** ms a peer has to send a whole request, from its first byte, and take the response (default 5000) */
  requestTimeout?: number
  /** record streams one peer may have open at once, over all its connections (default 64) */
  maxInboundStreamsPerPeer?: number
  /** requests one peer may send per second (default 1000) */
  maxRequestsPerPeerPerSecond?: number
  /** ms a stream may stay open between two requests (default 60000) */
  idleTimeout?: number
}

export interface RecordServerComponents {
  /** libp2p's registrar (the part this server uses) */
  registrar: {
    handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
    unhandle(protocol: string, options?: AbortOptions): Promise<void>
  }
  handlers: RequestHandlers
  logger: ComponentLogger
}

export class RecordServer implements Startable {
  private readonly components: RecordServerComponents
  private readonly protocol: string
  private readonly requestTimeout: number
  private readonly maxInboundStreamsPerPeer: number
  private readonly limits: PeerLimits
  private readonly idleTimeout: number
  private readonly log: Logger
  private started = false
  /** BUSY answers sent: streams and requests over a peer's limits */
  busySent = 0

  constructor (components: RecordServerComponents, init: RecordServerInit = {}) {
    this.components = components
    this.protocol = init.protocol ?? RECORD_PROTOCOL
    this.requestTimeout = init.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
    this.maxInboundStreamsPerPeer = init.maxInboundStreamsPerPeer ?? DEFAULT_MAX_INBOUND_STREAMS_PER_PEER
    this.limits = new PeerLimits({
      maxStreamsPerPeer: this.maxInboundStreamsPerPeer,
      maxRequestsPerSecond: init.maxRequestsPerPeerPerSecond ?? DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND
    })
    this.idleTimeout = init.idleTimeout ?? DEFAULT_IDLE_STREAM_TIMEOUT
    this.log = components.logger.forComponent('product-dht:protocol:server')
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, connection) => {
      void this.onStream(stream, connection)
    }, {
      // libp2p resets streams past its per-connection limit: keep it above ours,
      // so that a peer hears BUSY and a time to wait first
      maxInboundStreams: Math.max(MAX_STREAMS_PER_CONNECTION, 2 * this.maxInboundStreamsPerPeer),
      maxOutboundStreams: MAX_STREAMS_PER_CONNECTION
    })
    this.started = true
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(this.protocol)
    this.limits.clear()
    this.started = false
  }

  /** True while the per-peer limits hold counts for `peer` (they forget quiet peers). */
  tracks (peer: PeerId): boolean {
    return this.limits.tracks(peer)
  }

  /**
   * Serves requests on one stream, one at a time, until the requester closes
   * it, sends nothing for `idleTimeout` ms, or has sent MAX_REQUESTS_PER_STREAM.
   */
  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer
    const frames: FrameHooks = {}
    const lp = frameStream(stream, frames)
    const admission = this.limits.openStream(peer)
    if (!admission.admitted) {
      this.log('refusing a stream from %p - %s', peer, admission.reason)
      this.busySent++
      await this.answerAndEnd(stream, lp, reply(Response.Status.BUSY, admission.reason, { retryAfter: admission.retryAfter }))
      return
    }
    try {
      for (let served = 0; served < MAX_REQUESTS_PER_STREAM; served++) {
        let response: Response
        // one deadline per request, armed again for each step: each has requestTimeout ms
        const deadline = new Deadline()
        try {
          // the first request must come at once; later ones may wait while the requester keeps the stream
          const frame = await this.readFrame(lp, frames, served === 0 ? this.requestTimeout : this.idleTimeout, deadline)
          const admission = this.limits.admitRequest(peer)
          if (!admission.admitted) this.busySent++
          response = admission.admitted
            ? await this.components.handlers.handleBytes(frame.subarray(), peer, { signal: deadline.arm(this.requestTimeout) })
            : reply(Response.Status.BUSY, admission.reason, { retryAfter: admission.retryAfter })
        } catch (err) {
          deadline.clear()
          if (err instanceof InvalidDataLengthError || err instanceof InvalidDataLengthLengthError) {
            // the rest of the frame is never read: answer, then end the stream
            await this.answerAndEnd(stream, lp, reply(Response.Status.TOO_LARGE, `Message is larger than ${MAX_MESSAGE_SIZE} bytes`))
            return
          }
          if (served > 0 && (err as Error).name === 'UnexpectedEOFError') {
            // the requester closed its end between requests: the normal way to finish
            await this.endStream(stream)
            return
          }
          throw err
        }
        try {
          await lp.write(Response.encode(response), { signal: deadline.arm(this.requestTimeout) })
        } finally {
          deadline.clear()
        }
      }
      await this.endStream(stream)
    } catch (err) {
      // a requester that goes away mid-request is routine: no stack trace
      this.log('stream from %p ended early - %s', peer, (err as Error).message)
      stream.abort(err as Error)
    } finally {
      this.limits.closeStream(peer)
    }
  }

  /**
   * Reads one frame. The requester may take `wait` ms to start it, then has
   * requestTimeout ms to finish it: a sender that trickles bytes is cut off.
   */
  private async readFrame (lp: LengthPrefixedStream<Stream>, frames: FrameHooks, wait: number, deadline: Deadline): Promise<Uint8ArrayList> {
    const signal = deadline.arm(wait, `No request within ${wait} ms`)
    frames.onFrameStart = () => {
      deadline.arm(this.requestTimeout, `Request not complete within ${this.requestTimeout} ms`)
    }
    try {
      return await lp.read({ signal })
    } finally {
      frames.onFrameStart = undefined
    }
  }

  /** Sends `response` without reading a request, then ends the stream. */
  private async answerAndEnd (stream: Stream, lp: LengthPrefixedStream<Stream>, response: Response): Promise<void> {
    try {
      await lp.write(Response.encode(response), { signal: AbortSignal.timeout(this.requestTimeout) })
    } catch (err) {
      stream.abort(err as Error)
      return
    }
    await this.endStream(stream)
  }

  /**
   * Closes this end, then gives the requester requestTimeout ms to close
   * its own before resetting the stream: a half-closed stream still holds
   * one of libp2p's stream slots on the connection.
   */
  private async endStream (stream: Stream): Promise<void> {
    const signal = AbortSignal.timeout(this.requestTimeout)
    const closed = once(stream, 'close', { signal }).then(() => true, () => false)
    try {
      await stream.close({ signal })
      if (stream.status !== 'closed' && !await closed) {
        stream.abort(new Error('The requester kept its end of the stream open'))
      }
    } catch (err) {
      stream.abort(err as Error)
    }
  }
}
