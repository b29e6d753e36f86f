/**
 * Who may write: loopback hosts, the refusal to listen beyond loopback
 * without a token, and the bearer check.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { bearerCheck, checkListenPolicy, isLoopback } from '../../src/http/access.js'
import { resolveHttpOptions } from '../../src/http/options.js'

describe('API access', () => {
  it('tells loopback hosts from the others', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      assert.equal(isLoopback(host), true, host)
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', '::ffff:10.0.0.1']) {
      assert.equal(isLoopback(host), false, host)
    }
  })

  it('refuses to listen beyond loopback without a token, and tokens too short to guard anything', () => {
    assert.throws(() => { checkListenPolicy('0.0.0.0', undefined) }, { name: 'InvalidParametersError', message: /beyond loopback, without a token/ })
    assert.throws(() => resolveHttpOptions({ host: '::' }), { name: 'InvalidParametersError' })
    assert.throws(() => resolveHttpOptions({ host: '192.168.1.10', token: 'short' }), { name: 'InvalidParametersError', message: /at least 16/ })
    assert.doesNotThrow(() => { checkListenPolicy('0.0.0.0', 'a-token-of-sixteen+') })
    assert.doesNotThrow(() => { checkListenPolicy('127.0.0.1', undefined) })
    assert.equal(resolveHttpOptions({ host: '127.0.0.1', token: '' }).token, undefined, 'an empty token is no token')
  })

  it('checks the bearer token', () => {
    const check = bearerCheck('a-token-of-sixteen+')
    assert.doesNotThrow(() => { check('Bearer a-token-of-sixteen+') })
    assert.doesNotThrow(() => { check('bearer a-token-of-sixteen+ ') })
    assert.throws(() => { check(undefined) }, { name: 'UnauthorizedError', message: /Authorization: Bearer/ })
    assert.throws(() => { check('Basic a-token-of-sixteen+') }, { name: 'UnauthorizedError' })
    assert.throws(() => { check('Bearer a-token-of-sixteen') }, { name: 'UnauthorizedError', message: /wrong/ })
    assert.doesNotThrow(() => { bearerCheck(undefined)(undefined) }, 'without a token every request passes')
  })
})
