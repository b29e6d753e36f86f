/**
 * What every route of the API gets: the node, the resolved options, the
 * write check and a signal per operation.
 */
import type { ResolvedHttpOptions } from './options.js'
import type { ProductNode } from '../node.js'
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface RouteContext {
  node: ProductNode
  options: ResolvedHttpOptions
  /** throws UnauthorizedError unless the request may write */
  authorizeWrite(request: FastifyRequest): void
  /** aborts when the client goes away before its answer, or when the operation timeout passes */
  operationSignal(reply: FastifyReply): AbortSignal
  /** aborts when the client goes away before its answer (for long answers: no timeout) */
  clientSignal(reply: FastifyReply): AbortSignal
  /** OpenAPI path items of routes added beside the API's own (the dashboard's), for /v1/openapi.json */
  readonly extraPaths: Record<string, unknown>
}
