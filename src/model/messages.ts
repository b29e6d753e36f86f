import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Attribute {
  name: string
  text?: string
  number?: number
  flag?: boolean
}

export namespace Attribute {
  let _codec: Codec<Attribute>

  export const codec = (): Codec<Attribute> => {
    if (_codec == null) {
      _codec = message<Attribute>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.text != null) {
          w.uint32(18)
          w.string(obj.text)
        }

        if (obj.number != null) {
          w.uint32(25)
          w.double(obj.number)
        }

        if (obj.flag != null) {
          w.uint32(32)
          w.bool(obj.flag)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.text = reader.string()
              break
            }
            case 3: {
              obj.number = reader.double()
              break
            }
            case 4: {
              obj.flag = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.number`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.flag`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttributeNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AttributeTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface AttributeNumberFieldEvent {
    field: '$.number'
    value: number
  }

  export interface AttributeFlagFieldEvent {
    field: '$.flag'
    value: boolean
  }

  export function encode (obj: Partial<Attribute>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Attribute.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attribute>): Attribute {
    return decodeMessage(buf, Attribute.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attribute>): Generator<AttributeNameFieldEvent | AttributeTextFieldEvent | AttributeNumberFieldEvent | AttributeFlagFieldEvent> {
    return streamMessage(buf, Attribute.codec(), opts)
  }
}

export interface Product {
  id: string
  name: string
  price: string
  currency: string
  description?: string
  category?: string
  tags: string[]
  images: string[]
  attributes: Attribute[]
}

export namespace Product {
  let _codec: Codec<Product>

  export const codec = (): Codec<Product> => {
    if (_codec == null) {
      _codec = message<Product>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.price != null && obj.price !== '')) {
          w.uint32(26)
          w.string(obj.price)
        }

        if ((obj.currency != null && obj.currency !== '')) {
          w.uint32(34)
          w.string(obj.currency)
        }

        if (obj.description != null) {
          w.uint32(42)
          w.string(obj.description)
        }

        if (obj.category != null) {
          w.uint32(50)
          w.string(obj.category)
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(58)
            w.string(value)
          }
        }

        if (obj.images != null && obj.images.length > 0) {
          for (const value of obj.images) {
            w.uint32(66)
            w.string(value)
          }
        }

        if (obj.attributes != null && obj.attributes.length > 0) {
          for (const value of obj.attributes) {
            w.uint32(74)
            Attribute.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          price: '',
          currency: '',
          tags: [],
          images: [],
          attributes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.price = reader.string()
              break
            }
            case 4: {
              obj.currency = reader.string()
              break
            }
            case 5: {
              obj.description = reader.string()
              break
            }
            case 6: {
              obj.category = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 8: {
              if (opts.limits?.images != null && obj.images.length === opts.limits.images) {
                throw new MaxLengthError('Decode error - repeated field "images" had too many elements')
              }

              obj.images.push(reader.string())
              break
            }
            case 9: {
              if (opts.limits?.attributes != null && obj.attributes.length === opts.limits.attributes) {
                throw new MaxLengthError('Decode error - repeated field "attributes" had too many elements')
              }

              obj.attributes.push(Attribute.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attributes$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          tags: 0,
          images: 0,
          attributes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.price`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.currency`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.category`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.string()
              }

              obj.tags++

              break
            }
            case 8: {
              if (opts.limits?.images != null && obj.images === opts.limits.images) {
                throw new MaxLengthError('Streaming decode error - repeated field "images" had too many elements')
              }

              yield {
                field: `${prefix}.images[]`,
                index: obj.images,
                value: reader.string()
              }

              obj.images++

              break
            }
            case 9: {
              if (opts.limits?.attributes != null && obj.attributes === opts.limits.attributes) {
                throw new MaxLengthError('Streaming decode error - repeated field "attributes" had too many elements')
              }

              for (const evt of Attribute.codec().stream(reader, reader.uint32(), `${prefix}.attributes[]`, {
                limits: opts.limits?.attributes$
              })) {
                yield {
                  ...evt,
                  index: obj.attributes
                }
              }

              obj.attributes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProductIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ProductNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ProductPriceFieldEvent {
    field: '$.price'
    value: string
  }

  export interface ProductCurrencyFieldEvent {
    field: '$.currency'
    value: string
  }

  export interface ProductDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface ProductCategoryFieldEvent {
    field: '$.category'
    value: string
  }

  export interface ProductTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: string
  }

  export interface ProductImagesFieldEvent {
    field: '$.images[]'
    index: number
    value: string
  }

  export interface ProductAttributesNameFieldEvent {
    field: '$.attributes[].name'
    value: string
    index: number
  }

  export interface ProductAttributesTextFieldEvent {
    field: '$.attributes[].text'
    value: string
    index: number
  }

  export interface ProductAttributesNumberFieldEvent {
    field: '$.attributes[].number'
    value: number
    index: number
  }

  export interface ProductAttributesFlagFieldEvent {
    field: '$.attributes[].flag'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Product>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Product.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Product>): Product {
    return decodeMessage(buf, Product.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Product>): Generator<ProductIdFieldEvent | ProductNameFieldEvent | ProductPriceFieldEvent | ProductCurrencyFieldEvent | ProductDescriptionFieldEvent | ProductCategoryFieldEvent | ProductTagsFieldEvent | ProductImagesFieldEvent | ProductAttributesNameFieldEvent | ProductAttributesTextFieldEvent | ProductAttributesNumberFieldEvent | ProductAttributesFlagFieldEvent> {
    return streamMessage(buf, Product.codec(), opts)
  }
}

export interface Record {
  key: Uint8Array<ArrayBuffer>
  version: bigint
  updatedAt: bigint
  tombstone: boolean
  product?: Product
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  expiresAt: bigint
}

export namespace Record {
  let _codec: Codec<Record>

  export const codec = (): Codec<Record> => {
    if (_codec == null) {
      _codec = message<Record>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.version != null && obj.version !== 0n)) {
          w.uint32(16)
          w.uint64(obj.version)
        }

        if ((obj.updatedAt != null && obj.updatedAt !== 0n)) {
          w.uint32(24)
          w.uint64(obj.updatedAt)
        }

        if ((obj.tombstone != null && obj.tombstone !== false)) {
          w.uint32(32)
          w.bool(obj.tombstone)
        }

        if (obj.product != null) {
          w.uint32(42)
          Product.codec().encode(obj.product, w)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0n)) {
          w.uint32(64)
          w.uint64(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          version: 0n,
          updatedAt: 0n,
          tombstone: false,
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          expiresAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.version = reader.uint64()
              break
            }
            case 3: {
              obj.updatedAt = reader.uint64()
              break
            }
            case 4: {
              obj.tombstone = reader.bool()
              break
            }
            case 5: {
              obj.product = Product.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.product
              })
              break
            }
            case 6: {
              obj.publicKey = reader.bytes()
              break
            }
            case 7: {
              obj.signature = reader.bytes()
              break
            }
            case 8: {
              obj.expiresAt = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.updatedAt`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.tombstone`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield * Product.codec().stream(reader, reader.uint32(), `${prefix}.product`, {
                limits: opts.limits?.product
              })

              break
            }
            case 6: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RecordKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecordVersionFieldEvent {
    field: '$.version'
    value: bigint
  }

  export interface RecordUpdatedAtFieldEvent {
    field: '$.updatedAt'
    value: bigint
  }

  export interface RecordTombstoneFieldEvent {
    field: '$.tombstone'
    value: boolean
  }

  export interface RecordProductIdFieldEvent {
    field: '$.product.id'
    value: string
  }

  export interface RecordProductNameFieldEvent {
    field: '$.product.name'
    value: string
  }

  export interface RecordProductPriceFieldEvent {
    field: '$.product.price'
    value: string
  }

  export interface RecordProductCurrencyFieldEvent {
    field: '$.product.currency'
    value: string
  }

  export interface RecordProductDescriptionFieldEvent {
    field: '$.product.description'
    value: string
  }

  export interface RecordProductCategoryFieldEvent {
    field: '$.product.category'
    value: string
  }

  export interface RecordProductTagsFieldEvent {
    field: '$.product.tags[]'
    index: number
    value: string
  }

  export interface RecordProductImagesFieldEvent {
    field: '$.product.images[]'
    index: number
    value: string
  }

  export interface RecordProductAttributesNameFieldEvent {
    field: '$.product.attributes[].name'
    value: string
    index: number
  }

  export interface RecordProductAttributesTextFieldEvent {
    field: '$.product.attributes[].text'
    value: string
    index: number
  }

  export interface RecordProductAttributesNumberFieldEvent {
    field: '$.product.attributes[].number'
    value: number
    index: number
  }

  export interface RecordProductAttributesFlagFieldEvent {
    field: '$.product.attributes[].flag'
    value: boolean
    index: number
  }

  export interface RecordPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecordExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: bigint
  }

  export function encode (obj: Partial<Record>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Record.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Record>): Record {
    return decodeMessage(buf, Record.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Record>): Generator<RecordKeyFieldEvent | RecordVersionFieldEvent | RecordUpdatedAtFieldEvent | RecordTombstoneFieldEvent | RecordProductIdFieldEvent | RecordProductNameFieldEvent | RecordProductPriceFieldEvent | RecordProductCurrencyFieldEvent | RecordProductDescriptionFieldEvent | RecordProductCategoryFieldEvent | RecordProductTagsFieldEvent | RecordProductImagesFieldEvent | RecordProductAttributesNameFieldEvent | RecordProductAttributesTextFieldEvent | RecordProductAttributesNumberFieldEvent | RecordProductAttributesFlagFieldEvent | RecordPublicKeyFieldEvent | RecordSignatureFieldEvent | RecordExpiresAtFieldEvent> {
    return streamMessage(buf, Record.codec(), opts)
  }
}

export interface PeerHint {
  id: Uint8Array<ArrayBuffer>
  addrs: Uint8Array<ArrayBuffer>[]
}

export namespace PeerHint {
  let _codec: Codec<PeerHint>

  export const codec = (): Codec<PeerHint> => {
    if (_codec == null) {
      _codec = message<PeerHint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PeerHintIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PeerHintAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PeerHint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerHint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerHint>): PeerHint {
    return decodeMessage(buf, PeerHint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerHint>): Generator<PeerHintIdFieldEvent | PeerHintAddrsFieldEvent> {
    return streamMessage(buf, PeerHint.codec(), opts)
  }
}

export interface SyncRange {
  prefix: Uint8Array<ArrayBuffer>
  bits: number
  count: number
  fingerprint: Uint8Array<ArrayBuffer>
}

export namespace SyncRange {
  let _codec: Codec<SyncRange>

  export const codec = (): Codec<SyncRange> => {
    if (_codec == null) {
      _codec = message<SyncRange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.prefix != null && obj.prefix.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.prefix)
        }

        if ((obj.bits != null && obj.bits !== 0)) {
          w.uint32(16)
          w.uint32(obj.bits)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(24)
          w.uint32(obj.count)
        }

        if ((obj.fingerprint != null && obj.fingerprint.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.fingerprint)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          prefix: uint8ArrayAlloc(0),
          bits: 0,
          count: 0,
          fingerprint: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.prefix = reader.bytes()
              break
            }
            case 2: {
              obj.bits = reader.uint32()
              break
            }
            case 3: {
              obj.count = reader.uint32()
              break
            }
            case 4: {
              obj.fingerprint = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.prefix`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bits`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.fingerprint`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncRangePrefixFieldEvent {
    field: '$.prefix'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRangeBitsFieldEvent {
    field: '$.bits'
    value: number
  }

  export interface SyncRangeCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface SyncRangeFingerprintFieldEvent {
    field: '$.fingerprint'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncRange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRange>): SyncRange {
    return decodeMessage(buf, SyncRange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRange>): Generator<SyncRangePrefixFieldEvent | SyncRangeBitsFieldEvent | SyncRangeCountFieldEvent | SyncRangeFingerprintFieldEvent> {
    return streamMessage(buf, SyncRange.codec(), opts)
  }
}

export interface SyncItem {
  key: Uint8Array<ArrayBuffer>
  version: bigint
  digest: Uint8Array<ArrayBuffer>
}

export namespace SyncItem {
  let _codec: Codec<SyncItem>

  export const codec = (): Codec<SyncItem> => {
    if (_codec == null) {
      _codec = message<SyncItem>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if ((obj.version != null && obj.version !== 0n)) {
          w.uint32(16)
          w.uint64(obj.version)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0),
          version: 0n,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.version = reader.uint64()
              break
            }
            case 3: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncItemKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncItemVersionFieldEvent {
    field: '$.version'
    value: bigint
  }

  export interface SyncItemDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncItem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncItem.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncItem>): SyncItem {
    return decodeMessage(buf, SyncItem.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncItem>): Generator<SyncItemKeyFieldEvent | SyncItemVersionFieldEvent | SyncItemDigestFieldEvent> {
    return streamMessage(buf, SyncItem.codec(), opts)
  }
}

export interface SyncAnswer {
  prefix: Uint8Array<ArrayBuffer>
  bits: number
  kind: SyncAnswer.Kind
  items: SyncItem[]
  children: SyncRange[]
}

export namespace SyncAnswer {
  export enum Kind {
    MATCH = 'MATCH',
    ITEMS = 'ITEMS',
    SPLIT = 'SPLIT'
  }

  enum __KindValues {
    MATCH = 0,
    ITEMS = 1,
    SPLIT = 2
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<SyncAnswer>

  export const codec = (): Codec<SyncAnswer> => {
    if (_codec == null) {
      _codec = message<SyncAnswer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.prefix != null && obj.prefix.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.prefix)
        }

        if ((obj.bits != null && obj.bits !== 0)) {
          w.uint32(16)
          w.uint32(obj.bits)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(24)
          SyncAnswer.Kind.codec().encode(obj.kind, w)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(34)
            SyncItem.codec().encode(value, w)
          }
        }

        if (obj.children != null && obj.children.length > 0) {
          for (const value of obj.children) {
            w.uint32(42)
            SyncRange.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          prefix: uint8ArrayAlloc(0),
          bits: 0,
          kind: Kind.MATCH,
          items: [],
          children: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.prefix = reader.bytes()
              break
            }
            case 2: {
              obj.bits = reader.uint32()
              break
            }
            case 3: {
              obj.kind = SyncAnswer.Kind.codec().decode(reader)
              break
            }
            case 4: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(SyncItem.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 5: {
              if (opts.limits?.children != null && obj.children.length === opts.limits.children) {
                throw new MaxLengthError('Decode error - repeated field "children" had too many elements')
              }

              obj.children.push(SyncRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.children$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          items: 0,
          children: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.prefix`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bits`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: SyncAnswer.Kind.codec().decode(reader)
              }
              break
            }
            case 4: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of SyncItem.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 5: {
              if (opts.limits?.children != null && obj.children === opts.limits.children) {
                throw new MaxLengthError('Streaming decode error - repeated field "children" had too many elements')
              }

              for (const evt of SyncRange.codec().stream(reader, reader.uint32(), `${prefix}.children[]`, {
                limits: opts.limits?.children$
              })) {
                yield {
                  ...evt,
                  index: obj.children
                }
              }

              obj.children++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncAnswerPrefixFieldEvent {
    field: '$.prefix'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncAnswerBitsFieldEvent {
    field: '$.bits'
    value: number
  }

  export interface SyncAnswerKindFieldEvent {
    field: '$.kind'
    value: SyncAnswer.Kind
  }

  export interface SyncAnswerItemsKeyFieldEvent {
    field: '$.items[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncAnswerItemsVersionFieldEvent {
    field: '$.items[].version'
    value: bigint
    index: number
  }

  export interface SyncAnswerItemsDigestFieldEvent {
    field: '$.items[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncAnswerChildrenPrefixFieldEvent {
    field: '$.children[].prefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncAnswerChildrenBitsFieldEvent {
    field: '$.children[].bits'
    value: number
    index: number
  }

  export interface SyncAnswerChildrenCountFieldEvent {
    field: '$.children[].count'
    value: number
    index: number
  }

  export interface SyncAnswerChildrenFingerprintFieldEvent {
    field: '$.children[].fingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<SyncAnswer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncAnswer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncAnswer>): SyncAnswer {
    return decodeMessage(buf, SyncAnswer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncAnswer>): Generator<SyncAnswerPrefixFieldEvent | SyncAnswerBitsFieldEvent | SyncAnswerKindFieldEvent | SyncAnswerItemsKeyFieldEvent | SyncAnswerItemsVersionFieldEvent | SyncAnswerItemsDigestFieldEvent | SyncAnswerChildrenPrefixFieldEvent | SyncAnswerChildrenBitsFieldEvent | SyncAnswerChildrenCountFieldEvent | SyncAnswerChildrenFingerprintFieldEvent> {
    return streamMessage(buf, SyncAnswer.codec(), opts)
  }
}

export interface Request {
  type: Request.Type
  key: Uint8Array<ArrayBuffer>
  record?: Record
  wantPeers: boolean
  expectedVersion?: bigint
  ranges: SyncRange[]
  includeHeldBack?: boolean
}

export namespace Request {
  export enum Type {
    UNKNOWN = 'UNKNOWN',
    PUT = 'PUT',
    GET = 'GET',
    DELETE = 'DELETE',
    SYNC = 'SYNC',
    PEERS = 'PEERS'
  }

  enum __TypeValues {
    UNKNOWN = 0,
    PUT = 1,
    GET = 2,
    DELETE = 3,
    SYNC = 4,
    PEERS = 5
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          Request.Type.codec().encode(obj.type, w)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.key)
        }

        if (obj.record != null) {
          w.uint32(26)
          Record.codec().encode(obj.record, w)
        }

        if ((obj.wantPeers != null && obj.wantPeers !== false)) {
          w.uint32(32)
          w.bool(obj.wantPeers)
        }

        if (obj.expectedVersion != null) {
          w.uint32(40)
          w.uint64(obj.expectedVersion)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(50)
            SyncRange.codec().encode(value, w)
          }
        }

        if (obj.includeHeldBack != null) {
          w.uint32(56)
          w.bool(obj.includeHeldBack)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.UNKNOWN,
          key: uint8ArrayAlloc(0),
          wantPeers: false,
          ranges: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = Request.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.key = reader.bytes()
              break
            }
            case 3: {
              obj.record = Record.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.record
              })
              break
            }
            case 4: {
              obj.wantPeers = reader.bool()
              break
            }
            case 5: {
              obj.expectedVersion = reader.uint64()
              break
            }
            case 6: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(SyncRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 7: {
              obj.includeHeldBack = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ranges: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: Request.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield * Record.codec().stream(reader, reader.uint32(), `${prefix}.record`, {
                limits: opts.limits?.record
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.wantPeers`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.expectedVersion`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of SyncRange.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.includeHeldBack`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RequestTypeFieldEvent {
    field: '$.type'
    value: Request.Type
  }

  export interface RequestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestRecordKeyFieldEvent {
    field: '$.record.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestRecordVersionFieldEvent {
    field: '$.record.version'
    value: bigint
  }

  export interface RequestRecordUpdatedAtFieldEvent {
    field: '$.record.updatedAt'
    value: bigint
  }

  export interface RequestRecordTombstoneFieldEvent {
    field: '$.record.tombstone'
    value: boolean
  }

  export interface RequestRecordProductIdFieldEvent {
    field: '$.record.product.id'
    value: string
  }

  export interface RequestRecordProductNameFieldEvent {
    field: '$.record.product.name'
    value: string
  }

  export interface RequestRecordProductPriceFieldEvent {
    field: '$.record.product.price'
    value: string
  }

  export interface RequestRecordProductCurrencyFieldEvent {
    field: '$.record.product.currency'
    value: string
  }

  export interface RequestRecordProductDescriptionFieldEvent {
    field: '$.record.product.description'
    value: string
  }

  export interface RequestRecordProductCategoryFieldEvent {
    field: '$.record.product.category'
    value: string
  }

  export interface RequestRecordProductTagsFieldEvent {
    field: '$.record.product.tags[]'
    index: number
    value: string
  }

  export interface RequestRecordProductImagesFieldEvent {
    field: '$.record.product.images[]'
    index: number
    value: string
  }

  export interface RequestRecordProductAttributesNameFieldEvent {
    field: '$.record.product.attributes[].name'
    value: string
    index: number
  }

  export interface RequestRecordProductAttributesTextFieldEvent {
    field: '$.record.product.attributes[].text'
    value: string
    index: number
  }

  export interface RequestRecordProductAttributesNumberFieldEvent {
    field: '$.record.product.attributes[].number'
    value: number
    index: number
  }

  export interface RequestRecordProductAttributesFlagFieldEvent {
    field: '$.record.product.attributes[].flag'
    value: boolean
    index: number
  }

  export interface RequestRecordPublicKeyFieldEvent {
    field: '$.record.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestRecordSignatureFieldEvent {
    field: '$.record.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RequestRecordExpiresAtFieldEvent {
    field: '$.record.expiresAt'
    value: bigint
  }

  export interface RequestWantPeersFieldEvent {
    field: '$.wantPeers'
    value: boolean
  }

  export interface RequestExpectedVersionFieldEvent {
    field: '$.expectedVersion'
    value: bigint
  }

  export interface RequestRangesPrefixFieldEvent {
    field: '$.ranges[].prefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RequestRangesBitsFieldEvent {
    field: '$.ranges[].bits'
    value: number
    index: number
  }

  export interface RequestRangesCountFieldEvent {
    field: '$.ranges[].count'
    value: number
    index: number
  }

  export interface RequestRangesFingerprintFieldEvent {
    field: '$.ranges[].fingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RequestIncludeHeldBackFieldEvent {
    field: '$.includeHeldBack'
    value: boolean
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestTypeFieldEvent | RequestKeyFieldEvent | RequestRecordKeyFieldEvent | RequestRecordVersionFieldEvent | RequestRecordUpdatedAtFieldEvent | RequestRecordTombstoneFieldEvent | RequestRecordProductIdFieldEvent | RequestRecordProductNameFieldEvent | RequestRecordProductPriceFieldEvent | RequestRecordProductCurrencyFieldEvent | RequestRecordProductDescriptionFieldEvent | RequestRecordProductCategoryFieldEvent | RequestRecordProductTagsFieldEvent | RequestRecordProductImagesFieldEvent | RequestRecordProductAttributesNameFieldEvent | RequestRecordProductAttributesTextFieldEvent | RequestRecordProductAttributesNumberFieldEvent | RequestRecordProductAttributesFlagFieldEvent | RequestRecordPublicKeyFieldEvent | RequestRecordSignatureFieldEvent | RequestRecordExpiresAtFieldEvent | RequestWantPeersFieldEvent | RequestExpectedVersionFieldEvent | RequestRangesPrefixFieldEvent | RequestRangesBitsFieldEvent | RequestRangesCountFieldEvent | RequestRangesFingerprintFieldEvent | RequestIncludeHeldBackFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface Response {
  status: Response.Status
  record?: Record
  message: string
  closer: PeerHint[]
  retryAfter: number
  ranges: SyncAnswer[]
}

export namespace Response {
  export enum Status {
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    INVALID = 'INVALID',
    STALE = 'STALE',
    TOO_LARGE = 'TOO_LARGE',
    ERROR = 'ERROR',
    FORBIDDEN = 'FORBIDDEN',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    OK = 0,
    NOT_FOUND = 1,
    INVALID = 2,
    STALE = 3,
    TOO_LARGE = 4,
    ERROR = 5,
    FORBIDDEN = 6,
    BUSY = 7
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<Response>

  export const codec = (): Codec<Response> => {
    if (_codec == null) {
      _codec = message<Response>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Response.Status.codec().encode(obj.status, w)
        }

        if (obj.record != null) {
          w.uint32(18)
          Record.codec().encode(obj.record, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.closer != null && obj.closer.length > 0) {
          for (const value of obj.closer) {
            w.uint32(34)
            PeerHint.codec().encode(value, w)
          }
        }

        if ((obj.retryAfter != null && obj.retryAfter !== 0)) {
          w.uint32(40)
          w.uint32(obj.retryAfter)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(50)
            SyncAnswer.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: '',
          closer: [],
          retryAfter: 0,
          ranges: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Response.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.record = Record.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.record
              })
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.closer != null && obj.closer.length === opts.limits.closer) {
                throw new MaxLengthError('Decode error - repeated field "closer" had too many elements')
              }

              obj.closer.push(PeerHint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.closer$
              }))
              break
            }
            case 5: {
              obj.retryAfter = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(SyncAnswer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          closer: 0,
          ranges: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Response.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield * Record.codec().stream(reader, reader.uint32(), `${prefix}.record`, {
                limits: opts.limits?.record
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.closer != null && obj.closer === opts.limits.closer) {
                throw new MaxLengthError('Streaming decode error - repeated field "closer" had too many elements')
              }

              for (const evt of PeerHint.codec().stream(reader, reader.uint32(), `${prefix}.closer[]`, {
                limits: opts.limits?.closer$
              })) {
                yield {
                  ...evt,
                  index: obj.closer
                }
              }

              obj.closer++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.retryAfter`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of SyncAnswer.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ResponseStatusFieldEvent {
    field: '$.status'
    value: Response.Status
  }

  export interface ResponseRecordKeyFieldEvent {
    field: '$.record.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseRecordVersionFieldEvent {
    field: '$.record.version'
    value: bigint
  }

  export interface ResponseRecordUpdatedAtFieldEvent {
    field: '$.record.updatedAt'
    value: bigint
  }

  export interface ResponseRecordTombstoneFieldEvent {
    field: '$.record.tombstone'
    value: boolean
  }

  export interface ResponseRecordProductIdFieldEvent {
    field: '$.record.product.id'
    value: string
  }

  export interface ResponseRecordProductNameFieldEvent {
    field: '$.record.product.name'
    value: string
  }

  export interface ResponseRecordProductPriceFieldEvent {
    field: '$.record.product.price'
    value: string
  }

  export interface ResponseRecordProductCurrencyFieldEvent {
    field: '$.record.product.currency'
    value: string
  }

  export interface ResponseRecordProductDescriptionFieldEvent {
    field: '$.record.product.description'
    value: string
  }

  export interface ResponseRecordProductCategoryFieldEvent {
    field: '$.record.product.category'
    value: string
  }

  export interface ResponseRecordProductTagsFieldEvent {
    field: '$.record.product.tags[]'
    index: number
    value: string
  }

  export interface ResponseRecordProductImagesFieldEvent {
    field: '$.record.product.images[]'
    index: number
    value: string
  }

  export interface ResponseRecordProductAttributesNameFieldEvent {
    field: '$.record.product.attributes[].name'
    value: string
    index: number
  }

  export interface ResponseRecordProductAttributesTextFieldEvent {
    field: '$.record.product.attributes[].text'
    value: string
    index: number
  }

  export interface ResponseRecordProductAttributesNumberFieldEvent {
    field: '$.record.product.attributes[].number'
    value: number
    index: number
  }

  export interface ResponseRecordProductAttributesFlagFieldEvent {
    field: '$.record.product.attributes[].flag'
    value: boolean
    index: number
  }

  export interface ResponseRecordPublicKeyFieldEvent {
    field: '$.record.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseRecordSignatureFieldEvent {
    field: '$.record.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseRecordExpiresAtFieldEvent {
    field: '$.record.expiresAt'
    value: bigint
  }

  export interface ResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface ResponseCloserIdFieldEvent {
    field: '$.closer[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseCloserAddrsFieldEvent {
    field: '$.closer[].addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResponseRetryAfterFieldEvent {
    field: '$.retryAfter'
    value: number
  }

  export interface ResponseRangesPrefixFieldEvent {
    field: '$.ranges[].prefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseRangesBitsFieldEvent {
    field: '$.ranges[].bits'
    value: number
    index: number
  }

  export interface ResponseRangesKindFieldEvent {
    field: '$.ranges[].kind'
    value: SyncAnswer.Kind
    index: number
  }

  export interface ResponseRangesItemsKeyFieldEvent {
    field: '$.ranges[].items[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseRangesItemsVersionFieldEvent {
    field: '$.ranges[].items[].version'
    value: bigint
    index: number
  }

  export interface ResponseRangesItemsDigestFieldEvent {
    field: '$.ranges[].items[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseRangesChildrenPrefixFieldEvent {
    field: '$.ranges[].children[].prefix'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ResponseRangesChildrenBitsFieldEvent {
    field: '$.ranges[].children[].bits'
    value: number
    index: number
  }

  export interface ResponseRangesChildrenCountFieldEvent {
    field: '$.ranges[].children[].count'
    value: number
    index: number
  }

  export interface ResponseRangesChildrenFingerprintFieldEvent {
    field: '$.ranges[].children[].fingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Response>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Response.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Response {
    return decodeMessage(buf, Response.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Response>): Generator<ResponseStatusFieldEvent | ResponseRecordKeyFieldEvent | ResponseRecordVersionFieldEvent | ResponseRecordUpdatedAtFieldEvent | ResponseRecordTombstoneFieldEvent | ResponseRecordProductIdFieldEvent | ResponseRecordProductNameFieldEvent | ResponseRecordProductPriceFieldEvent | ResponseRecordProductCurrencyFieldEvent | ResponseRecordProductDescriptionFieldEvent | ResponseRecordProductCategoryFieldEvent | ResponseRecordProductTagsFieldEvent | ResponseRecordProductImagesFieldEvent | ResponseRecordProductAttributesNameFieldEvent | ResponseRecordProductAttributesTextFieldEvent | ResponseRecordProductAttributesNumberFieldEvent | ResponseRecordProductAttributesFlagFieldEvent | ResponseRecordPublicKeyFieldEvent | ResponseRecordSignatureFieldEvent | ResponseRecordExpiresAtFieldEvent | ResponseMessageFieldEvent | ResponseCloserIdFieldEvent | ResponseCloserAddrsFieldEvent | ResponseRetryAfterFieldEvent | ResponseRangesPrefixFieldEvent | ResponseRangesBitsFieldEvent | ResponseRangesKindFieldEvent | ResponseRangesItemsKeyFieldEvent | ResponseRangesItemsVersionFieldEvent | ResponseRangesItemsDigestFieldEvent | ResponseRangesChildrenPrefixFieldEvent | ResponseRangesChildrenBitsFieldEvent | ResponseRangesChildrenCountFieldEvent | ResponseRangesChildrenFingerprintFieldEvent> {
    return streamMessage(buf, Response.codec(), opts)
  }
}
