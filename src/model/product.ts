/**
 * The product schema: validation of caller input (with zod), the canonical
 * form, and conversion to and from the protobuf message stored and sent.
 */
import { CID } from 'multiformats/cid'
import { z } from 'zod'
import { InvalidProductError } from '../errors.js'
import { acceptedCurrencies } from './currencies.js'
import { canonicalPrice, currencyDigits, DECIMAL, parsePrice } from './money.js'
import type { Product as WireProduct } from './messages.js'
import type { FieldIssue } from '../errors.js'
import type { AttributeValue, Product } from '../types.js'

export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/
export const LIMITS = {
  name: 256,
  description: 4096,
  category: 128,
  tags: 32,
  tag: 64,
  images: 16,
  image: 2048,
  attributes: 64,
  attributeName: 64,
  attributeText: 1024
} as const

const IMAGE_SCHEMES = new Set(['http:', 'https:', 'ipfs:', 'ipns:'])

function isImageReference (value: string): boolean {
  if (URL.canParse(value)) {
    return IMAGE_SCHEMES.has(new URL(value).protocol)
  }
  try {
    CID.parse(value)
    return true
  } catch {
    return false
  }
}

const attributeValue = z.union([
  z.string().max(LIMITS.attributeText),
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.boolean()
], { error: 'must be a string, a finite number or a boolean' })

const productSchema = z.strictObject({
  id: z.string().regex(PRODUCT_ID_PATTERN, 'must be 1–128 characters of letters, digits, ".", "_", ":" or "-"'),
  name: z.string().min(1).max(LIMITS.name),
  // required, but checked with the currency by checkPrice, after the schema;
  // the meta says so to JSON Schema readers (productJsonSchema)
  price: z.unknown().optional().meta({
    description: 'a decimal string such as "99.99", or a number, ≥ 0, with no more decimals than the currency allows; returned as the canonical decimal string',
    anyOf: [{ type: 'string', pattern: `^\\s*${DECIMAL.source.slice(1, -1)}\\s*$` }, { type: 'number', minimum: 0 }]
  }),
  currency: z.string()
    .refine(code => currencyDigits(code) !== undefined, 'must be the ISO 4217 code of a currency in use, in upper case, such as "EUR"')
    .meta({ enum: acceptedCurrencies() }),
  description: z.string().max(LIMITS.description).optional(),
  category: z.string().min(1).max(LIMITS.category).optional(),
  tags: z.array(z.string().min(1).max(LIMITS.tag)).max(LIMITS.tags).optional(),
  images: z.array(z.string().max(LIMITS.image).refine(isImageReference, 'must be an http(s), ipfs or ipns URL, or a CID')
    .meta({ description: 'an http(s), ipfs or ipns URL, or a CID' }))
    .max(LIMITS.images).optional(),
  attributes: z.record(z.string().min(1).max(LIMITS.attributeName), attributeValue)
    .refine(map => Object.keys(map).length <= LIMITS.attributes, `must have at most ${LIMITS.attributes} entries`)
    .meta({ maxProperties: LIMITS.attributes })
    .optional()
}, {
  // without this function, a message for the whole object would also replace the one naming unknown fields
  error: issue => issue.code === 'unrecognized_keys' ? 'is not a product field' : issue.code === 'invalid_type' ? 'must be an object' : undefined
})

/**
 * The product schema as JSON Schema (draft 2020-12), derived from the zod
 * schema validateProduct checks with, so that the two cannot drift apart:
 * what JSON Schema cannot say (decimals per currency, which strings are
 * image references) is in the fields' descriptions, and validateProduct
 * stays the judge.
 */
export function productJsonSchema (): Record<string, unknown> {
  const schema = z.toJSONSchema(productSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & { required?: string[] }
  // price is optional in the zod schema only so that checkPrice can word its issues
  schema.required = [...new Set([...(schema.required ?? []), 'price'])]
  return schema
}

/**
 * The message of an issue zod raises without one of ours, worded to follow
 * the field's name: "tags.3: must not be empty". Given per parse, not as a
 * schema's `error`, which would also word the issues of that schema's checks.
 */
function issueMessage (issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      // a missing field, not a hole in an array
      if (issue.input === undefined && typeof issue.path?.at(-1) === 'string') return 'is required'
      if (issue.expected === 'record' || issue.expected === 'object') return 'must be an object'
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`
      if (issue.origin === 'array') return `must have at least ${issue.minimum} items`
      return `must be at least ${issue.minimum}`
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`
      return `must be at most ${issue.maximum}`
    case 'invalid_key':
      return `is not a valid name: ${issue.issues.map(i => i.message).join('; ')}`
    case 'invalid_union':
      return 'is none of the allowed kinds of value'
    case 'invalid_format':
      return 'is not in the expected format'
    default:
      return undefined
  }
}

/** A path such as `tags.3`; an empty name shows as `""`, so only the product itself has the empty path. */
function fieldPath (path: readonly PropertyKey[]): string {
  return path.map(key => key === '' ? '""' : String(key)).join('.')
}

function fieldIssues (error: z.ZodError): FieldIssue[] {
  // zod reports every unknown field in one issue; name each on its own
  return error.issues.flatMap(issue => issue.code === 'unrecognized_keys'
    ? issue.keys.map(key => ({ field: fieldPath([...issue.path, key]), message: issue.message }))
    : [{ field: fieldPath(issue.path), message: issue.message }])
}

/**
 * The canonical price, or what is wrong with it. Without a valid currency the
 * decimals cannot be checked, but all else is: a negative price is reported
 * beside a wrong currency. Undefined when there is nothing more to say.
 */
function checkPrice (price: unknown, currency: unknown): { price: string } | { error: string } | undefined {
  if (price === undefined) {
    return { error: 'is required' }
  }
  if (typeof currency === 'string' && currencyDigits(currency) !== undefined) {
    return canonicalPrice(price, currency)
  }
  const decimal = parsePrice(price)
  return 'error' in decimal ? decimal : undefined
}

/**
 * Validates a product given by a caller and returns its canonical form.
 * Throws `InvalidProductError` naming every failing field.
 */
export function validateProduct (input: unknown): Product {
  const parsed = productSchema.safeParse(input, { error: issueMessage })
  const issues = parsed.success ? [] : fieldIssues(parsed.error)

  let price: string | undefined
  // what is not an object has no fields to report on
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const result = checkPrice((input as { price?: unknown }).price, (input as { currency?: unknown }).currency)
    if (result !== undefined && 'error' in result) {
      issues.push({ field: 'price', message: result.error })
    } else {
      price = result?.price
    }
  }

  if (!parsed.success || price === undefined || issues.length > 0) {
    throw new InvalidProductError(issues)
  }

  const p = parsed.data
  const product: Product = { id: p.id, name: p.name, price, currency: p.currency }
  if (p.description !== undefined) product.description = p.description
  if (p.category !== undefined) product.category = p.category
  if (p.tags !== undefined && p.tags.length > 0) product.tags = [...p.tags]
  if (p.images !== undefined && p.images.length > 0) product.images = [...p.images]
  if (p.attributes !== undefined && Object.keys(p.attributes).length > 0) {
    product.attributes = sortedAttributes(p.attributes)
  }
  return product
}

function sortedAttributes (map: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const sorted: Record<string, AttributeValue> = {}
  for (const name of Object.keys(map).sort()) {
    sorted[name] = map[name]
  }
  return sorted
}

/** The protobuf form of a canonical product (attributes sorted by name). */
export function productToWire (product: Product): WireProduct {
  const wire: WireProduct = {
    id: product.id,
    name: product.name,
    price: product.price,
    currency: product.currency,
    tags: product.tags ?? [],
    images: product.images ?? [],
    attributes: Object.entries(product.attributes ?? {}).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([name, value]) => {
      if (typeof value === 'string') return { name, text: value }
      if (typeof value === 'number') return { name, number: value }
      return { name, flag: value }
    })
  }
  // optional fields are left out rather than set to undefined, as the decoder leaves them
  if (product.description !== undefined) wire.description = product.description
  if (product.category !== undefined) wire.category = product.category
  return wire
}

/**
 * A product read from the wire or disk. Throws `InvalidProductError` when it
 * breaks the schema; callers that need the canonical encoding also compare
 * bytes (see record.ts).
 */
export function productFromWire (wire: WireProduct): Product {
  const attributes: Record<string, AttributeValue> = {}
  for (const attribute of wire.attributes) {
    const value = attribute.text ?? attribute.number ?? attribute.flag
    if (value === undefined || Object.hasOwn(attributes, attribute.name)) {
      throw new InvalidProductError([{ field: `attributes.${attribute.name}`, message: 'must have exactly one value' }])
    }
    attributes[attribute.name] = value
  }
  return validateProduct({
    id: wire.id,
    name: wire.name,
    price: wire.price,
    currency: wire.currency,
    description: wire.description,
    category: wire.category,
    tags: wire.tags,
    images: wire.images,
    attributes
  })
}
