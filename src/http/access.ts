/**
 * Who may write through the API. On loopback, anyone on the machine (unless
 * a token is set); beyond loopback only with the bearer token, and the API
 * refuses to start there without one.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { InvalidParametersError } from '../errors.js'
import { UnauthorizedError } from './errors.js'

/** Tokens shorter than this are refused: a token guards every write of the catalog. */
export const MIN_TOKEN_LENGTH = 16

/** True for a host name or address that only this machine can reach. */
export function isLoopback (host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare)
  return false
}

/**
 * Checks that the API may listen on `host` with `token`; throws
 * InvalidParametersError when it would take writes from beyond loopback
 * without a token, or when the token is too short to guard anything.
 */
export function checkListenPolicy (host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new InvalidParametersError(`The API token must be at least ${MIN_TOKEN_LENGTH} characters`)
  }
  if (!isLoopback(host) && token === undefined) {
    throw new InvalidParametersError(`The HTTP API would listen on ${host}, beyond loopback, without a token: set one (--api-token, PRODUCT_DHT_API_TOKEN) so that only its holders can write, or listen on 127.0.0.1`)
  }
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** A check of `Authorization: Bearer <token>` in constant time; without a token every request passes. */
export function bearerCheck (token: string | undefined): (authorization: string | undefined) => void {
  if (token === undefined) {
    return () => {}
  }
  const expected = digest(token)
  return authorization => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    if (match == null) {
      throw new UnauthorizedError('Writes need the API token: send "Authorization: Bearer <token>"')
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      throw new UnauthorizedError('The API token is wrong')
    }
  }
}
