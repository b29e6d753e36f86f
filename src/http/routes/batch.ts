/**
 * `POST /v1/products:batch`: puts many products in one request, a bounded
 * number at once, and answers with one result per product, in order. A
 * product that fails does not stop the others.
 */
import { validateProduct } from '../../model/product.js'
import { errorAnswer, InvalidRequestError } from '../errors.js'
import { writeReceipt } from '../json.js'
import type { ErrorBody } from '../errors.js'
import type { WriteReceipt } from '../json.js'
import type { RouteContext } from '../context.js'
import type { FastifyInstance } from 'fastify'

/** One product's outcome in a batch. */
export type BatchResult = ({ ok: true } & WriteReceipt) | { ok: false, index: number, id?: string, error: ErrorBody }

export interface BatchAnswer {
  succeeded: number
  failed: number
  results: BatchResult[]
}

/** The products of a batch body `{ "products": [ … ] }`; throws InvalidRequestError naming what is wrong. */
function batchProducts (body: unknown, maxBatchSize: number): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The body must be an object: { "products": [ … ] }')
  }
  const unknown = Object.keys(body).filter(key => key !== 'products')
  if (unknown.length > 0) {
    throw new InvalidRequestError(`Unknown fields in the batch: ${unknown.join(', ')} (it takes only "products")`)
  }
  const products = (body as { products?: unknown }).products
  if (!Array.isArray(products)) {
    throw new InvalidRequestError('"products" must be a list of products')
  }
  if (products.length > maxBatchSize) {
    throw new InvalidRequestError(`A batch holds at most ${maxBatchSize} products; this one has ${products.length}`)
  }
  return products
}

/** Runs `task` on each item, at most `limit` at once; results in order. */
async function mapLimited <T, R> (items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index], index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

export function batchRoutes (app: FastifyInstance, context: RouteContext): void {
  const { node, options } = context
  // '::' is a literal ':' in fastify's paths
  app.post('/v1/products::batch', { bodyLimit: options.maxBatchBytes }, async (request, reply): Promise<BatchAnswer> => {
    context.authorizeWrite(request)
    const products = batchProducts(request.body, options.maxBatchSize)
    const results = await mapLimited(products, options.batchConcurrency, async (input, index): Promise<BatchResult> => {
      const id = typeof (input as { id?: unknown })?.id === 'string' ? (input as { id: string }).id : undefined
      try {
        const product = validateProduct(input)
        const result = await node.putProduct(product, { signal: context.operationSignal(reply), onProgress: options.onProgress })
        return { ok: true, ...writeReceipt(product.id, result) }
      } catch (err) {
        return { ok: false, index, ...(id === undefined ? {} : { id }), error: errorAnswer(err as Error).body }
      }
    })
    const succeeded = results.filter(r => r.ok).length
    return { succeeded, failed: results.length - succeeded, results }
  })
}
