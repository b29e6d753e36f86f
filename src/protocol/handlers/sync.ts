/**
 * SYNC: anti-entropy. For each range the requester summarised, compare it
 * with this node's summary of the same range, narrowed to the records this
 * node believes the requester should hold too; answer MATCH, the items
 * (few enough to list) or the 16 children's summaries.
 */
import { Response, SyncAnswer } from '../../model/messages.js'
import { childrenOf, entriesIn, isValidRange, MAX_LISTED_ITEMS, MAX_SYNC_RANGES, sameSummary, summarize } from '../../replication/anti-entropy/ranges.js'
import { reply } from '../responses.js'
import type { HandlerComponents, RequestHandler } from './types.js'
import type { SyncItem } from '../../model/messages.js'
import type { IndexEntry } from '../../store/record-index.js'

export function syncHandler (components: HandlerComponents): RequestHandler {
  return async (request, from) => {
    if (request.ranges.length === 0 || request.ranges.length > MAX_SYNC_RANGES) {
      return reply(Response.Status.INVALID, `SYNC must ask about 1 to ${MAX_SYNC_RANGES} ranges`)
    }
    if (!request.ranges.every(isValidRange)) {
      return reply(Response.Status.INVALID, 'SYNC range malformed: a prefix of ceil(bits / 8) bytes, at most 256 bits')
    }
    const shared = components.sharedWith?.(from) ?? (() => false)
    const mine = components.store.index.all().filter(entry => shared(entry.key))
    const answers = request.ranges.map((range): SyncAnswer => {
      const held = entriesIn(mine, range)
      const base = { prefix: range.prefix, bits: range.bits, items: [], children: [] }
      if (sameSummary(summarize(held), range)) {
        return { ...base, kind: SyncAnswer.Kind.MATCH }
      }
      if (held.length <= MAX_LISTED_ITEMS) {
        return { ...base, kind: SyncAnswer.Kind.ITEMS, items: held.map(toItem) }
      }
      const children = childrenOf(range).map(child => ({ ...child, ...summarize(entriesIn(held, child)) }))
      return { ...base, kind: SyncAnswer.Kind.SPLIT, children }
    })
    return reply(Response.Status.OK, '', { ranges: answers })
  }
}

function toItem (entry: IndexEntry): SyncItem {
  return { key: entry.key, version: entry.version, digest: entry.digest }
}
