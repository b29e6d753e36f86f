/**
 * Checks a record a peer sent: valid, signed, and (in a closed catalog) by a
 * listed publisher. One reply is looked at several times (quorum counting,
 * choosing the newest, repair), so each record's verdict is kept while the
 * record object lives; and the replicas of a key send the same bytes, so a
 * record whose bytes this node validated before (`verified`) is not
 * validated again.
 */
import { verifyRecord } from '../model/record.js'
import type { PublisherPolicy } from '../model/publishers.js'
import type { WireRecord } from '../model/record.js'
import type { VerifiedRecords } from '../model/verified-records.js'
import type { Logger, PeerId } from '@libp2p/interface'

export class RecordCheck {
  private readonly policy: PublisherPolicy
  private readonly log: Logger
  private readonly verified?: VerifiedRecords
  private readonly verdicts = new WeakMap<WireRecord, boolean>()

  constructor (policy: PublisherPolicy, log: Logger, verified?: VerifiedRecords) {
    this.policy = policy
    this.log = log
    this.verified = verified
  }

  /** True when `record`, sent by `from` for `key`, may be believed. */
  isValid (record: WireRecord, key: Uint8Array, from: PeerId): boolean {
    let valid = this.verdicts.get(record)
    if (valid === undefined) {
      valid = this.check(record, key, from)
      this.verdicts.set(record, valid)
    }
    return valid
  }

  private check (record: WireRecord, key: Uint8Array, from: PeerId): boolean {
    try {
      verifyRecord(record, key, this.verified)
    } catch (err) {
      this.log('ignoring an invalid record from %p - %s', from, (err as Error).message)
      return false
    }
    const refusal = this.policy.closed ? this.policy.refusal(record) : undefined
    if (refusal !== undefined) {
      this.log('ignoring a record from %p - %s', from, refusal)
      return false
    }
    return true
  }
}
