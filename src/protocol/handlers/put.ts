/**
 * PUT: store a record that carries a product, unless it is older than the one held.
 */
import { Response } from '../../model/messages.js'
import { reply } from '../responses.js'
import { storeOffered } from './store-offered.js'
import type { HandlerComponents, RequestHandler } from './types.js'

export function putHandler (components: HandlerComponents): RequestHandler {
  return async (request, from, options) => {
    if (request.record == null) {
      return reply(Response.Status.INVALID, 'Request carries no record')
    }
    if (request.record.tombstone) {
      return reply(Response.Status.INVALID, 'PUT cannot carry a tombstone')
    }
    return storeOffered(components, request, request.record, from, options)
  }
}
