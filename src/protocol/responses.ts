/**
 * Building responses of the record protocol.
 */
import { Response } from '../model/messages.js'

/** A response with `status`, an optional message and any further fields. */
export function reply (status: Response.Status, message = '', extra: Partial<Response> = {}): Response {
  return { status, message, closer: [], retryAfter: 0, ranges: [], ...extra }
}

/** A response as text for logs and failure reasons: `STATUS` or `STATUS: message`. */
export function describeResponse (response: Response): string {
  const status = String(response.status)
  return response.message === '' ? status : `${status}: ${response.message}`
}
