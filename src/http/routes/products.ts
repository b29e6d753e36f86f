/**
 * `/v1/products/{id}`: get (the version as ETag), put (compare-and-set with
 * If-Match / If-None-Match) and delete one product; `/v1/products`: the
 * products this node holds, one JSON object a line.
 */
import { Readable } from 'node:stream'
import { InvalidProductError, VersionConflictError } from '../../errors.js'
import { validateProduct } from '../../model/product.js'
import { ProductNotFoundError } from '../errors.js'
import { entityTag, recordHeaders, writeReceipt } from '../json.js'
import { readPrecondition } from '../preconditions.js'
import type { ProductNode } from '../../node.js'
import type { Product } from '../../types.js'
import type { RouteContext } from '../context.js'
import type { Precondition } from '../preconditions.js'
import type { FastifyInstance } from 'fastify'

interface IdParams { id: string }

/**
 * The product of a PUT body: the id comes from the path when the body has
 * none, and must match it when it has one. Validated as the node validates.
 */
export function productForPath (id: string, body: unknown): Product {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const given = (body as { id?: unknown }).id
    if (given !== undefined && given !== id) {
      throw new InvalidProductError([{ field: 'id', message: `must be the id in the path (${id}) or left out` }])
    }
    return validateProduct({ ...body, id })
  }
  return validateProduct(body)
}

/** The version a conditional write expects, reading the current one for `If-Match: *`. */
async function expectedVersion (node: ProductNode, id: string, precondition: Precondition, signal: AbortSignal): Promise<number | undefined> {
  if (precondition.kind === 'none') return undefined
  if (precondition.kind === 'version') return precondition.version
  const current = await node.getRecord(id, { signal })
  if (current === undefined) {
    throw new VersionConflictError(`If-Match: * but no product ${id} exists`, 0)
  }
  return current.version
}

export function productRoutes (app: FastifyInstance, context: RouteContext): void {
  const { node, options } = context
  const onProgress = options.onProgress

  app.get<{ Params: IdParams }>('/v1/products/:id', async (request, reply) => {
    const { id } = request.params
    const record = await node.getRecord(id, { signal: context.operationSignal(reply), onProgress })
    if (record === undefined) {
      throw new ProductNotFoundError(`No product ${id}: the replicas that answered hold none`)
    }
    return reply.headers(recordHeaders(record)).send(record.product)
  })

  app.put<{ Params: IdParams }>('/v1/products/:id', async (request, reply) => {
    context.authorizeWrite(request)
    const { id } = request.params
    const product = productForPath(id, request.body)
    const precondition = readPrecondition(request.headers)
    const signal = context.operationSignal(reply)
    const result = await node.putProduct(product, { signal, onProgress, expectedVersion: await expectedVersion(node, id, precondition, signal) })
    return reply.header('etag', entityTag(result.version)).send(writeReceipt(id, result))
  })

  app.delete<{ Params: IdParams }>('/v1/products/:id', async (request, reply) => {
    context.authorizeWrite(request)
    const { id } = request.params
    const precondition = readPrecondition(request.headers)
    const signal = context.operationSignal(reply)
    const result = await node.deleteProduct(id, { signal, onProgress, expectedVersion: await expectedVersion(node, id, precondition, signal) })
    return reply.send(writeReceipt(id, result))
  })

  app.get('/v1/products', async (_request, reply) => {
    const signal = context.clientSignal(reply)
    async function * lines (): AsyncGenerator<string> {
      for await (const product of node.localProducts({ signal })) {
        yield JSON.stringify(product) + '\n'
      }
    }
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines()))
  })
}
