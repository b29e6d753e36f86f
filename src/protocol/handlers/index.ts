/**
 * Inbound requests of the record protocol, one handler per request type (as
 * kad-dht's rpc/handlers). The stream server hands each decoded request here,
 * and so does this node when it is one of its own replicas. Whatever a
 * request holds, the answer is a response with a status: nothing throws.
 */
import { InvalidRecordError, RecordTooLargeError } from '../../errors.js'
import { Request, Response } from '../../model/messages.js'
import { KEY_LENGTH } from '../constants.js'
import { reply } from '../responses.js'
import { deleteHandler } from './delete.js'
import { getHandler } from './get.js'
import { peersHandler } from './peers.js'
import { putHandler } from './put.js'
import { syncHandler } from './sync.js'
import type { HandlerComponents, RequestHandler } from './types.js'
import type { AbortOptions, Logger, PeerId } from '@libp2p/interface'

export type { HandlerComponents, RequestHandler }

export class RequestHandlers {
  private readonly components: HandlerComponents
  private readonly log: Logger
  private readonly byType: Map<Request.Type, RequestHandler>

  constructor (components: HandlerComponents) {
    this.components = components
    this.log = components.logger.forComponent('product-dht:protocol:handlers')
    this.byType = new Map([
      [Request.Type.GET, getHandler(components)],
      [Request.Type.PUT, putHandler(components)],
      [Request.Type.DELETE, deleteHandler(components)],
      [Request.Type.SYNC, syncHandler(components)],
      [Request.Type.PEERS, peersHandler(components)]
    ])
  }

  /** Answers one decoded request from `from`, with closer-peer hints where the view has some. */
  async handle (request: Request, from: PeerId, options?: AbortOptions): Promise<Response> {
    if (request.type === Request.Type.SYNC || request.type === Request.Type.PEERS) {
      // about ranges of keys, or about a peer: no record key to check, no hints to add
      return this.answer(request, from, options)
    }
    if (request.key.byteLength !== KEY_LENGTH || request.key[0] !== 0x12 || request.key[1] !== 0x20) {
      return reply(Response.Status.INVALID, 'Key must be a sha2-256 multihash')
    }
    const response = await this.answer(request, from, options)
    if (response.status === Response.Status.ERROR || !this.byType.has(request.type)) {
      return response
    }
    try {
      const closer = await this.components.hints?.(request.key, from, request.wantPeers, options) ?? []
      return closer.length > 0 ? { ...response, closer } : response
    } catch (err) {
      this.log.error('failed to name closer peers - %e', err)
      return response
    }
  }

  /** Runs the request type's handler; what it throws becomes a status. */
  private async answer (request: Request, from: PeerId, options?: AbortOptions): Promise<Response> {
    const handler = this.byType.get(request.type)
    if (handler === undefined) {
      return reply(Response.Status.INVALID, `Unknown request type ${String(request.type)}`)
    }
    try {
      return await handler(request, from, options)
    } catch (err) {
      if (err instanceof InvalidRecordError) {
        return reply(Response.Status.INVALID, err.message)
      }
      if (err instanceof RecordTooLargeError) {
        return reply(Response.Status.TOO_LARGE, err.message)
      }
      this.log.error('failed to answer a %s request - %e', request.type, err)
      return reply(Response.Status.ERROR, 'Internal error')
    }
  }

  /** Decodes one request frame and answers it. */
  async handleBytes (frame: Uint8Array, from: PeerId, options?: AbortOptions): Promise<Response> {
    let request: Request
    try {
      request = Request.decode(frame)
    } catch (err) {
      return reply(Response.Status.INVALID, `Malformed request: ${(err as Error).message}`)
    }
    return this.handle(request, from, options)
  }
}
