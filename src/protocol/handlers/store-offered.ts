/**
 * What PUT and DELETE share: validate the offered record, store it unless
 * the held one is newer or the publisher may not replace it, and say which.
 */
import { Response } from '../../model/messages.js'
import { compareRecords, isExpired, verifyRecord } from '../../model/record.js'
import { reply } from '../responses.js'
import type { HandlerComponents } from './types.js'
import type { Request } from '../../model/messages.js'
import type { WireRecord } from '../../model/record.js'
import type { AbortOptions, PeerId } from '@libp2p/interface'

export async function storeOffered (components: HandlerComponents, request: Request, record: WireRecord, from: PeerId, options?: AbortOptions): Promise<Response> {
  // throws InvalidRecordError or RecordTooLargeError, which the dispatcher answers
  verifyRecord(record, request.key, components.verified)
  if (isExpired(record)) {
    return reply(Response.Status.INVALID, 'Record has expired')
  }
  const { previous, refused, stored } = await components.store.put(record, {
    ...options,
    expectedVersion: request.expectedVersion,
    admit: current => components.policy.refusal(record, current)
  })
  if (refused !== undefined) {
    return reply(Response.Status.FORBIDDEN, refused, previous === undefined ? {} : { record: previous })
  }
  if (stored && (previous === undefined || compareRecords(previous, record) !== 0)) {
    components.onStored?.(record, from)
  }
  // A writer must build on the newest version: an offer that does not raise
  // the version is STALE, even where the tie-break let it replace a different
  // record of the same version (so that replicas converge).
  if (previous !== undefined && previous.version >= record.version && compareRecords(previous, record) !== 0) {
    return reply(Response.Status.STALE, `Holds version ${previous.version}`, { record: previous })
  }
  return reply(Response.Status.OK)
}
