/**
 * Public data types shared by every layer. Imports nothing of ours.
 */
import type { ReplicaFailure } from './errors.js'

/** A value in a product's flat `attributes` map. */
export type AttributeValue = string | number | boolean

/**
 * A product as stored and returned: validated and canonical. `price` is a
 * decimal string with exactly as many decimals as the currency's ISO 4217
 * minor unit ("99.99" EUR, "1500" JPY, "1.250" BHD). Empty lists and maps are
 * left out.
 */
export interface Product {
  /** 1–128 characters: letters, digits, `.`, `_`, `:`, `-` */
  id: string
  /** 1–256 characters */
  name: string
  /** canonical decimal string, never a float */
  price: string
  /** ISO 4217 alphabetic code, upper case */
  currency: string
  /** at most 4096 characters */
  description?: string
  /** at most 128 characters */
  category?: string
  /** at most 32 tags of 1–64 characters each */
  tags?: string[]
  /** at most 16 http(s)/ipfs URLs or CIDs */
  images?: string[]
  /** flat map of at most 64 entries; names 1–64 characters, strings at most 1024 */
  attributes?: Record<string, AttributeValue>
}

/**
 * A product as a caller may give it: the price may also be a number, which is
 * converted to the canonical decimal string (and refused if it has more
 * decimals than the currency allows).
 */
export interface ProductInput extends Omit<Product, 'price'> {
  price: string | number
}

/** The receipt of a put or delete. */
export interface WriteResult {
  /** the product key (base58btc multihash of the id, as `productKeyString` gives) */
  key: string
  /** the version now stored */
  version: number
  /** peer ids of the replicas that acknowledged */
  replicas: string[]
  /** replicas that were asked and did not acknowledge, with why */
  failed: ReplicaFailure[]
  /** peer id form of the key that signed the record */
  publisher: string
}

/** What a read learned about a product. */
export interface ProductRecord {
  product: Product
  version: number
  /** when the writer stored this version */
  updatedAt: Date
  /** how many replicas answered (found or not found) */
  answered: number
  /** how many of those held exactly this version */
  agreed: number
  /** peer id form of the key that signed this version */
  publisher: string
  /** when this version stops being valid, if it was published with an expiry */
  expiresAt?: Date
}
