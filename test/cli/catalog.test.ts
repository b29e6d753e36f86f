/**
 * The catalog formats on their own: CSV, JSON Lines (with failure-file
 * lines) and schema.org Product JSON-LD, read and written back.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { csvHeader, csvRow, readCsv } from '../../src/cli/catalog/csv.js'
import { formatOf } from '../../src/cli/catalog/items.js'
import { JSON_LD_END, JSON_LD_START, nodeOfProduct, readJsonLd } from '../../src/cli/catalog/jsonld.js'
import { jsonLine, readJsonLines } from '../../src/cli/catalog/jsonl.js'
import { validateProduct } from '../../src/model/product.js'
import type { Product } from '../../src/types.js'

const full: Product = validateProduct({
  id: 'SKU-1',
  name: 'Widget, "deluxe"',
  price: '1500',
  currency: 'JPY',
  description: 'Line one\nline two, with a comma',
  category: 'Tools',
  tags: ['a|b', ' spaced'],
  images: ['https://example.com/w.png', 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'],
  attributes: { colour: 'red', weight: 1.5, boxed: true }
})
const plain: Product = validateProduct({ id: 'SKU-2', name: 'Plain', price: '9.99', currency: 'EUR', tags: ['x', 'y'] })

describe('catalog formats', () => {
  it('tells a format from a file name', () => {
    assert.equal(formatOf('shop.CSV'), 'csv')
    assert.equal(formatOf('a.jsonl'), 'jsonl')
    assert.equal(formatOf('a.ndjson'), 'jsonl')
    assert.equal(formatOf('a.jsonld'), 'jsonld')
    assert.equal(formatOf('product-page.html'), 'jsonld')
    assert.equal(formatOf('a.txt'), undefined)
  })

  it('writes CSV that reads back as the same products', () => {
    const text = csvHeader() + csvRow(full) + csvRow(plain)
    assert.match(text, /^id,name,price,currency,description,category,tags,images,attributes\n/)
    assert.match(text, /x\|y/, 'a plain list is |-separated')
    const items = readCsv(text, 'c.csv')
    assert.deepEqual(items.map(i => validateProduct(i.product)), [full, plain])
    assert.deepEqual(items.map(i => i.source), ['c.csv:2', 'c.csv:4'], 'sources name the line a row starts on')
  })

  it('reads every readable CSV row, and names the rows that are not', () => {
    const text = 'id,name,price,currency\nA,One,1.00,EUR\nB,"unclosed,1.00,EUR\n'
    const broken = readCsv(text, 'b.csv')
    assert.equal(broken.length, 2)
    assert.deepEqual(broken[0].product, { id: 'A', name: 'One', price: '1.00', currency: 'EUR' })
    assert.equal(broken[1].error?.name, 'InvalidRequestError')
    const columns = readCsv('id,name,price,currency\nA,One,1.00,EUR\nB,Two,2.00\nC,Three,3.00,EUR,extra\n', 'n.csv')
    assert.deepEqual(columns.map(i => i.product?.id ?? i.error?.name), ['A', 'InvalidRequestError', 'InvalidRequestError'])
    const badAttributes = readCsv('id,attributes\nA,{nope\n', 'a.csv')
    assert.match(badAttributes[0].error?.message ?? '', /column attributes: not a JSON object/)
    assert.deepEqual(readCsv('id,stock\nA,3\n', 's.csv')[0].product, { id: 'A', stock: '3' }, 'an unknown column is kept for the daemon to name')
  })

  it('reads JSON Lines, a failure file among them', () => {
    const text = jsonLine(plain) + '\n' + 'not json\n' + '[1]\n' +
      JSON.stringify({ source: 'c.csv:7', error: { name: 'InvalidProductError', message: 'x' }, product: { id: 'F', name: 'Fixed' } }) + '\n' +
      JSON.stringify({ source: 'c.csv:9', error: { name: 'InvalidRequestError', message: 'Quote Not Closed' } }) + '\n'
    const items = readJsonLines(text, 'f.jsonl')
    assert.deepEqual(items[0], { source: 'f.jsonl:1', product: plain })
    assert.match(items[1].error?.message ?? '', /^not JSON/)
    assert.match(items[2].error?.message ?? '', /one JSON object/)
    assert.deepEqual(items[3], { source: 'f.jsonl:5 (first c.csv:7)', product: { id: 'F', name: 'Fixed' } })
    assert.match(items[4].error?.message ?? '', /still unreadable \(first c\.csv:9\): Quote Not Closed/)
  })

  it('reads schema.org Products as storefronts and feeds give them', () => {
    const document = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'Organization', name: 'Shop' },
        {
          '@type': 'Product',
          sku: 'JL-1',
          name: 'Kettle',
          description: 'Boils',
          category: { '@type': 'Thing', name: 'Kitchen' },
          image: [{ '@type': 'ImageObject', url: 'https://example.com/k.png' }],
          keywords: 'kitchen, steel',
          additionalProperty: [{ '@type': 'PropertyValue', name: 'litres', value: 1.7 }],
          offers: [{ '@type': 'Offer', price: 49.9, priceCurrency: 'EUR' }]
        },
        { '@type': ['Product', 'IndividualProduct'], productID: 'JL-2', name: 'Mug', image: 'https://example.com/m.png', offers: { '@type': 'AggregateOffer', lowPrice: '3', priceCurrency: 'USD' } },
        { '@type': 'ItemList', itemListElement: [{ '@type': 'ListItem', item: { '@type': 'Product', sku: 'JL-3', name: 'Spoon', offers: { priceSpecification: { price: '1.5', priceCurrency: 'GBP' } } } }] }
      ]
    }
    const items = readJsonLd(JSON.stringify(document), 'shop.jsonld')
    assert.deepEqual(items.map(i => i.source), ['shop.jsonld#1', 'shop.jsonld#2', 'shop.jsonld#3'])
    assert.deepEqual(validateProduct(items[0].product), {
      id: 'JL-1', name: 'Kettle', price: '49.90', currency: 'EUR', description: 'Boils', category: 'Kitchen', tags: ['kitchen', 'steel'], images: ['https://example.com/k.png'], attributes: { litres: 1.7 }
    })
    assert.deepEqual(validateProduct(items[1].product), { id: 'JL-2', name: 'Mug', price: '3.00', currency: 'USD', images: ['https://example.com/m.png'] })
    assert.deepEqual(validateProduct(items[2].product), { id: 'JL-3', name: 'Spoon', price: '1.50', currency: 'GBP' })
    assert.equal(readJsonLd('{"@type": "Organization"}', 'o.jsonld')[0].error?.name, 'InvalidRequestError')
    assert.match(readJsonLd('{', 'x.jsonld')[0].error?.message ?? '', /^not JSON/)
  })

  it('reads the JSON-LD blocks of a product page as a storefront serves it', () => {
    const page = `<!doctype html><html><head><title>Kettle</title>
      <script type="application/ld+json">{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[]}</script>
      <script type="text/javascript">const x = "<script type=\\"application/ld+json\\">";</script>
      <script type="Application/LD+JSON">
        {"@context": "https://schema.org", "@type": "Product", "sku": "PAGE-1", "name": "Kettle &amp; lid",
         "offers": {"@type": "Offer", "price": "39.00", "priceCurrency": "EUR"}}
      </script></head><body><p>Kettle</p>
      <script type="application/ld+json">[{"@type": "Product", "productID": "PAGE-2", "name": "Lid", "offers": {"price": 5, "priceCurrency": "EUR"}}]</script>
      </body></html>`
    const items = readJsonLd(page, 'kettle.html')
    assert.deepEqual(items.map(i => [i.source, validateProduct(i.product)]), [
      ['kettle.html#1', { id: 'PAGE-1', name: 'Kettle &amp; lid', price: '39.00', currency: 'EUR' }],
      ['kettle.html#2', { id: 'PAGE-2', name: 'Lid', price: '5.00', currency: 'EUR' }]
    ], 'script text is taken as it is: JSON, not HTML')
    assert.match(readJsonLd('<html><script type="application/ld+json">{oops</script></html>', 'bad.html')[0].error?.message ?? '', /^not JSON/)
    assert.match(readJsonLd('<html><body>no data</body></html>', 'none.html')[0].error?.message ?? '', /no schema.org Product in the page/)
  })

  it('writes JSON-LD that reads back as the same products', () => {
    const text = JSON_LD_START + [full, plain].map(p => JSON.stringify(nodeOfProduct(p))).join(',\n') + JSON_LD_END
    const document = JSON.parse(text)
    assert.equal(document['@context'], 'https://schema.org')
    assert.equal(document['@graph'][0].offers.price, '1500')
    assert.deepEqual(readJsonLd(text, 'w.jsonld').map(i => validateProduct(i.product)), [full, plain])
  })
})
