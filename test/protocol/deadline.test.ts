import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Deadline } from '../../src/protocol/deadline.js'

// the deadline's timers are unref'd, like AbortSignal.timeout(): a ref'd timer
// that expires after them keeps the test's event loop alive while they fire
const pause = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('request deadline', () => {
  it('aborts with a TimeoutError when its clock runs out, or with the message given', async () => {
    const deadline = new Deadline()
    const signal = deadline.arm(1)
    await pause(20)
    assert.equal(signal.aborted, true)
    assert.equal((signal.reason as Error).name, 'TimeoutError')
    const named = new Deadline()
    named.arm(1, 'No request within 1 ms')
    await pause(20)
    assert.equal((named.signal.reason as Error).message, 'No request within 1 ms')
  })

  it('aborts with the caller\'s reason, also when the caller aborted before', () => {
    const caller = new AbortController()
    const deadline = new Deadline(caller.signal)
    deadline.arm(60_000)
    caller.abort(new Error('gone'))
    assert.equal(deadline.signal.aborted, true)
    assert.equal((deadline.signal.reason as Error).message, 'gone')
    assert.equal(new Deadline(caller.signal).signal.aborted, true)
  })

  it('once cleared, neither its clock nor the caller aborts it, and it leaves no listener on the caller', async () => {
    const caller = new AbortController()
    const deadline = new Deadline(caller.signal)
    deadline.arm(1)
    deadline.clear()
    await new Promise(resolve => setTimeout(resolve, 20))
    caller.abort()
    assert.equal(deadline.signal.aborted, false)
  })

  it('arming again restarts the clock with the new limit', async () => {
    const deadline = new Deadline()
    deadline.arm(1, 'first')
    deadline.arm(60_000, 'second')
    await new Promise(resolve => setTimeout(resolve, 20))
    assert.equal(deadline.signal.aborted, false)
    deadline.arm(1, 'third')
    await pause(20)
    assert.equal((deadline.signal.reason as Error).message, 'third')
    deadline.clear()
  })
})
