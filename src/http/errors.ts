/**
 * What the HTTP API answers when something fails: a status code and a JSON
 * body `{ name, message, … }`. Errors of the library keep their stable
 * `name` (InvalidProductError, QuorumError, VersionConflictError, …) and
 * the fields a caller acts on; errors of HTTP itself have names of their own,
 * defined here.
 */
import type { FieldIssue } from '../errors.js'

/** An Error class whose instances and whose class carry `name`, as the library's errors do. */
function namedError <N extends string> (name: N): { new (message?: string): Error & { readonly name: N }, readonly NAME: N } {
  return class extends Error {
    static readonly NAME = name
    override readonly name = name
  }
}

/** The request is not what the route takes: a body that is not JSON, a bad header or query value. */
export class InvalidRequestError extends namedError('InvalidRequestError') {}

/** No product with this id: the replicas that answered hold none, or a delete. */
export class ProductNotFoundError extends namedError('ProductNotFoundError') {}

/** No such route or method. */
export class RouteNotFoundError extends namedError('RouteNotFoundError') {}

/** The body is larger than the route takes. */
export class PayloadTooLargeError extends namedError('PayloadTooLargeError') {}

/** The body is not `application/json`. */
export class UnsupportedMediaTypeError extends namedError('UnsupportedMediaTypeError') {}

/** A write came without the API's bearer token, or with another one. */
export class UnauthorizedError extends namedError('UnauthorizedError') {}

/** The JSON body of an error answer. */
export interface ErrorBody {
  name: string
  message: string
  /** InvalidProductError: every failing field */
  issues?: FieldIssue[]
  /** VersionConflictError: the newest version the replicas hold (0: none) */
  currentVersion?: number
  /** QuorumError: the quorum, how many replicas made it, and why the others did not */
  needed?: number
  succeeded?: number
  failed?: Array<{ peer: string, reason: string, status?: string }>
  /** NotOwnerError: the peer id of the owner's key */
  owner?: string
}

/** HTTP status of each error name; what is not listed is a 500. */
const STATUS: Record<string, number> = {
  InvalidRequestError: 400,
  InvalidProductError: 400,
  InvalidParametersError: 400,
  UnauthorizedError: 401,
  NotOwnerError: 403,
  UnauthorizedPublisherError: 403,
  ProductNotFoundError: 404,
  RouteNotFoundError: 404,
  VersionConflictError: 409,
  PayloadTooLargeError: 413,
  RecordTooLargeError: 413,
  UnsupportedMediaTypeError: 415,
  QuorumError: 503,
  NotStartedError: 503,
  // the API's operation timeout passed
  TimeoutError: 504
}

/** Fastify's own errors of reading a request, by code, as the errors above. */
const FASTIFY_ERRORS: Record<string, new (message: string) => Error> = {
  FST_ERR_CTP_BODY_TOO_LARGE: PayloadTooLargeError,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: UnsupportedMediaTypeError,
  FST_ERR_CTP_EMPTY_JSON_BODY: InvalidRequestError,
  FST_ERR_CTP_INVALID_JSON_BODY: InvalidRequestError,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: InvalidRequestError
}

/**
 * The error as the API names it: fastify's request errors become ours
 * (a JSON syntax error is an InvalidRequestError), the rest stay as they are.
 */
export function apiError (err: Error & { code?: string, statusCode?: number }): Error {
  const mapped = err.code === undefined ? undefined : FASTIFY_ERRORS[err.code]
  if (mapped === UnsupportedMediaTypeError) {
    return new UnsupportedMediaTypeError(`${err.message}: send the body as JSON with Content-Type: application/json`)
  }
  if (mapped !== undefined) {
    return new mapped(err.message)
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return new InvalidRequestError(`The body is not valid JSON: ${err.message}`)
  }
  return err
}

/**
 * Status and body for an error. A VersionConflictError is 412 when the
 * request had a precondition (If-Match, If-None-Match) that failed, 409 when
 * concurrent writers kept overtaking it.
 */
export function errorAnswer (err: Error, options: { precondition?: boolean } = {}): { status: number, body: ErrorBody } {
  let status = STATUS[err.name] ?? 500
  if (err.name === 'VersionConflictError' && options.precondition === true) {
    status = 412
  }
  const body: ErrorBody = { name: status === 500 ? 'InternalError' : err.name, message: status === 500 ? 'The node failed to serve the request' : err.message }
  const fields = err as Partial<{ issues: FieldIssue[], currentVersion: number, needed: number, succeeded: number, failed: Array<{ peer: unknown, reason: string, status?: string }>, owner: unknown }>
  if (fields.issues !== undefined) body.issues = fields.issues
  if (fields.currentVersion !== undefined) body.currentVersion = fields.currentVersion
  if (fields.needed !== undefined) body.needed = fields.needed
  if (fields.succeeded !== undefined) body.succeeded = fields.succeeded
  if (fields.failed !== undefined) body.failed = fields.failed.map(f => ({ peer: String(f.peer), reason: f.reason, ...(f.status === undefined ? {} : { status: f.status }) }))
  if (fields.owner !== undefined) body.owner = String(fields.owner)
  return { status, body }
}
