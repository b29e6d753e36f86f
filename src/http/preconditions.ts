/**
 * Conditional writes: `If-Match: "3"` (write only over version 3),
 * `If-Match: *` (only over a product that exists) and `If-None-Match: *`
 * (only when none exists), turned into the compare-and-set of the API
 * (`expectedVersion`).
 */
import { InvalidRequestError } from './errors.js'

/** What the request asked for: no condition, a version, or "any existing version". */
export type Precondition = { kind: 'none' } | { kind: 'version', version: number } | { kind: 'exists' }

const TAG = /^"(\d{1,15})"$/

/** Reads If-Match and If-None-Match; throws InvalidRequestError for what it cannot honour. */
export function readPrecondition (headers: Record<string, string | string[] | undefined>): Precondition {
  const ifMatch = single(headers, 'if-match')
  const ifNoneMatch = single(headers, 'if-none-match')
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new InvalidRequestError('Send If-Match or If-None-Match, not both')
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') {
      throw new InvalidRequestError('If-None-Match takes only "*" on a write (create the product only if it does not exist)')
    }
    return { kind: 'version', version: 0 }
  }
  if (ifMatch === undefined) {
    return { kind: 'none' }
  }
  if (ifMatch === '*') {
    return { kind: 'exists' }
  }
  const match = TAG.exec(ifMatch)
  if (match == null) {
    throw new InvalidRequestError(`If-Match must be one version as the ETag gives it, such as "3" (with the quotes), or *; got ${ifMatch}`)
  }
  return { kind: 'version', version: Number(match[1]) }
}

function single (headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  if (Array.isArray(value)) {
    throw new InvalidRequestError(`Send ${name} once`)
  }
  return value?.trim()
}
