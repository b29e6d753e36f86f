/**
 * Typed errors: a name to switch on, and advice that fits the cause.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { QuorumError } from '../../src/index.js'

describe('QuorumError', () => {
  it('advises more peers when replicas could not be reached', () => {
    const err = new QuorumError('put', 2, 1, [{ peer: peerIdFromString('12D3KooWJFg7StJx1UhfJ3g9k3Ft4fygBuTg2mzDmmgzQoCeG62Q'), reason: 'The operation was aborted' }])
    assert.equal(err.name, 'QuorumError')
    assert.match(err.message, /put reached 1 of the 2 replicas/)
    assert.match(err.message, /Join more peers/)
  })

  it('advises sending fewer requests when replicas answered BUSY', () => {
    const err = new QuorumError('get', 2, 0, [{ peer: peerIdFromString('12D3KooWJFg7StJx1UhfJ3g9k3Ft4fygBuTg2mzDmmgzQoCeG62Q'), reason: 'BUSY: At most 10 requests per second per peer', status: 'BUSY' }])
    assert.match(err.message, /send fewer at once/)
    assert.doesNotMatch(err.message, /Join more peers/)
    assert.equal(err.failed[0].status, 'BUSY')
  })
})
