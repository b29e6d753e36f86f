/**
 * `GET /v1/openapi.json`: the API described, built at the first request (by
 * then every route, the dashboard's too, has described itself).
 */
import { PACKAGE_VERSION } from '../../package-version.js'
import { openApiDocument } from '../openapi.js'
import type { RouteContext } from '../context.js'
import type { FastifyInstance } from 'fastify'

export function openApiRoutes (app: FastifyInstance, context: RouteContext): void {
  let document: ReturnType<typeof openApiDocument> | undefined
  app.get('/v1/openapi.json', async () => {
    document ??= openApiDocument(context.options, PACKAGE_VERSION, context.extraPaths)
    return document
  })
}
