/**
 * Building requests of the record protocol.
 */
import { Request } from '../model/messages.js'
import type { WireRecord } from '../model/record.js'

/** The request that offers `record` to a replica: a PUT, or a DELETE for a tombstone. */
export function storeRequest (record: WireRecord, expectedVersion?: bigint): Request {
  return {
    type: record.tombstone ? Request.Type.DELETE : Request.Type.PUT,
    key: record.key,
    record,
    wantPeers: false,
    expectedVersion,
    ranges: []
  }
}
