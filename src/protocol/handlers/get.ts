/**
 * GET: the record this node holds for a key, or NOT_FOUND. A record held
 * back after a long absence is answered only to a GET that includes them.
 */
import { Response } from '../../model/messages.js'
import { reply } from '../responses.js'
import type { HandlerComponents, RequestHandler } from './types.js'

export function getHandler (components: HandlerComponents): RequestHandler {
  return async (request, _from, options) => {
    const record = await components.store.get(request.key, { ...options, includeHeldBack: request.includeHeldBack === true })
    return record === undefined ? reply(Response.Status.NOT_FOUND) : reply(Response.Status.OK, '', { record })
  }
}
