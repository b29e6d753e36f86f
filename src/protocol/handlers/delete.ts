/**
 * DELETE: store a tombstone, so that the product reads as deleted and an
 * older put cannot bring it back.
 */
import { Response } from '../../model/messages.js'
import { reply } from '../responses.js'
import { storeOffered } from './store-offered.js'
import type { HandlerComponents, RequestHandler } from './types.js'

export function deleteHandler (components: HandlerComponents): RequestHandler {
  return async (request, from, options) => {
    if (request.record == null) {
      return reply(Response.Status.INVALID, 'Request carries no record')
    }
    if (!request.record.tombstone) {
      return reply(Response.Status.INVALID, 'DELETE needs a tombstone')
    }
    return storeOffered(components, request, request.record, from, options)
  }
}
