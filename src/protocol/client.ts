/**
 * Outbound side of the record protocol: one request, one response, on a new
 * stream over an existing connection where there is one.
 */
import { lpStream } from '@libp2p/utils'
import { ProtocolError } from '../errors.js'
import { Request, Response } from '../model/messages.js'
import { DEFAULT_REQUEST_TIMEOUT, MAX_MESSAGE_SIZE, RECORD_PROTOCOL } from './constants.js'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'

export interface RecordClientInit {
  /** protocol id to speak (default `/product-dht/record/1.0.0`) */
  protocol?: string
  /** ms one request may take, dial included (default 5000) */
  requestTimeout?: number
}

export interface RecordClientComponents {
  dialProtocol(peer: PeerId, protocol: string, options?: AbortOptions): Promise<Stream>
}

export class RecordClient {
  private readonly components: RecordClientComponents
  private readonly protocol: string
  private readonly requestTimeout: number

  constructor (components: RecordClientComponents, init: RecordClientInit = {}) {
    this.components = components
    this.protocol = init.protocol ?? RECORD_PROTOCOL
    this.requestTimeout = init.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT
  }

  /** Sends `request` to `peer` and returns its response; rejects on any transport or decode failure. */
  async send (peer: PeerId, request: Request, options: AbortOptions = {}): Promise<Response> {
    const timeout = AbortSignal.timeout(this.requestTimeout)
    const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
    const stream = await this.components.dialProtocol(peer, this.protocol, { signal })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_SIZE })
      await lp.write(Request.encode(request), { signal })
      const frame = await lp.read({ signal })
      let response: Response
      try {
        response = Response.decode(frame)
      } catch (err) {
        throw new ProtocolError(`Malformed response from ${peer.toString()}: ${(err as Error).message}`)
      }
      await stream.close({ signal })
      return response
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }
}
