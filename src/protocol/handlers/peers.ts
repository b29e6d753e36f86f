/**
 * PEERS: a joining node asks who it should know. The key is a peer id's
 * multihash (the joiner's own); the answer names, in `closer`, the record
 * peers this node knows nearest to it and, when it sets `wantPeers`, a few
 * from each part of the keyspace (the peer view chooses them).
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { Response } from '../../model/messages.js'
import { reply } from '../responses.js'
import type { HandlerComponents, RequestHandler } from './types.js'

export function peersHandler (components: HandlerComponents): RequestHandler {
  return async (request, from, options) => {
    try {
      peerIdFromMultihash(Digest.decode(request.key))
    } catch {
      return reply(Response.Status.INVALID, 'PEERS key must be a peer id\'s multihash')
    }
    const closer = await components.neighbourhood?.(request.key, from, request.wantPeers, options) ?? []
    return reply(Response.Status.OK, '', { closer })
  }
}
