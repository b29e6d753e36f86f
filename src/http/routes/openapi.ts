/**
 * `GET /v1/openapi.json`: the API described, built once at start.
 */
import { PACKAGE_VERSION } from '../../package-version.js'
import { openApiDocument } from '../openapi.js'
import type { RouteContext } from '../context.js'
import type { FastifyInstance } from 'fastify'

export function openApiRoutes (app: FastifyInstance, context: RouteContext): void {
  const document = openApiDocument(context.options, PACKAGE_VERSION)
  app.get('/v1/openapi.json', async () => document)
}
