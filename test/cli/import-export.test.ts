/**
 * `import` and `export` as processes against live daemons: a 1 000-line
 * CSV catalog with bad lines (a summary, a failure file that a second run
 * takes), progress as plain lines and as a bar on a terminal, and exports
 * in every format that import back unchanged into another network.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { validateProduct } from '../../src/model/product.js'
import { BIN, runCli, startCli, startDaemonProcess, stopDaemons, tempDir } from '../helpers/daemon.js'
import type { DaemonProcess } from '../helpers/daemon.js'
import type { Product } from '../../src/types.js'

const TOKEN = 'import-test-token-0123456789'
const CURRENCIES = ['EUR', 'USD', 'JPY', 'GBP', 'BHD']
const PRICES: Record<string, string> = { EUR: '19.99', USD: '5', JPY: '1500', GBP: '0.5', BHD: '12.125' }

/** Row `i` of the catalog as CSV cells, and the product it stands for. */
function row (i: number): { cells: string[], product: Record<string, unknown> } {
  const id = `CAT-${String(i).padStart(4, '0')}`
  const currency = CURRENCIES[i % CURRENCIES.length]
  const product: Record<string, unknown> = { id, name: `Product ${i}, "model ${i % 7}"`, price: PRICES[currency], currency }
  if (i % 3 === 0) product.description = `Line one of ${i}\nline two`
  if (i % 4 === 0) product.category = 'Kitchen'
  if (i % 5 === 0) product.tags = ['sale', `t${i % 11}`]
  if (i % 6 === 0) product.images = [`https://example.com/${id}.png`]
  if (i % 8 === 0) product.attributes = { colour: 'red', weight: i / 10, boxed: i % 16 === 0 }
  const cells = [id, String(product.name), String(product.price), currency, String(product.description ?? ''), String(product.category ?? ''),
    (product.tags as string[] | undefined)?.join('|') ?? '', (product.images as string[] | undefined)?.join('|') ?? '',
    product.attributes === undefined ? '' : JSON.stringify(product.attributes)]
  return { cells, product }
}

function csvLine (cells: string[]): string {
  return cells.map(cell => /[",\n|]/.test(cell) || cell.startsWith('{') ? `"${cell.replaceAll('"', '""')}"` : cell).join(',') + '\n'
}

/** Rows the daemon refuses (fixed on the second run), and rows that cannot be read at all. */
const INVALID: Record<number, (cells: string[]) => string[]> = {
  100: c => { c[3] = 'eur'; return c },
  200: c => { c[2] = '1.999'; c[3] = 'EUR'; return c },
  300: c => { c[0] = 'CAT 0300'; return c },
  400: c => { c[1] = ''; return c }
}
const UNREADABLE: Record<number, (cells: string[]) => string[]> = {
  500: c => [...c, 'one cell too many'],
  600: c => { c[8] = '{not json'; return c }
}

function sortById (products: Product[]): Product[] {
  return [...products].sort((x, y) => x.id < y.id ? -1 : 1)
}

function parseJsonLines (text: string): any[] {
  return text.split('\n').filter(l => l !== '').map(l => JSON.parse(l))
}

describe('import and export through live daemons', () => {
  let a: DaemonProcess
  let b: DaemonProcess
  let c: DaemonProcess
  let dir: Awaited<ReturnType<typeof tempDir>>
  let catalog: string
  const valid: Product[] = []
  const withToken = { PRODUCT_DHT_API_TOKEN: TOKEN }

  before(async () => {
    dir = await tempDir('import')
    let text = 'id,name,price,currency,description,category,tags,images,attributes\n'
    for (let i = 1; i <= 1000; i++) {
      const { cells, product } = row(i)
      const broken = INVALID[i] ?? UNREADABLE[i]
      text += csvLine(broken === undefined ? cells : broken([...cells]))
      if (broken === undefined) valid.push(validateProduct(product))
    }
    catalog = join(dir.path, 'catalog.csv')
    await writeFile(catalog, text)
    a = await startDaemonProcess(['--api-token', TOKEN])
    b = await startDaemonProcess(['--bootstrap', a.multiaddrs[0]])
    // another network: what it is given comes only from export files
    c = await startDaemonProcess(['--write-quorum', '1', '--read-quorum', '1'])
  })
  after(async () => {
    assert.deepEqual(await stopDaemons([c, b, a]), [0, 0, 0])
    await dir.remove()
  })

  it('imports a 1 000-line CSV file: a summary, progress lines, and the failures in a file', async () => {
    const run = await runCli(['import', catalog, '--api', a.url], { env: withToken })
    assert.equal(run.code, 9, `some failed: exit 9\n${run.stderr}`)
    assert.match(run.stdout, /^imported 994 of 1000 products; 6 failed, listed in .*catalog\.csv\.failures\.jsonl/m)
    // not a terminal: plain progress lines on stderr
    assert.match(run.stderr, /^import: 1000\/1000 \(6 failed\)$/m)
    assert.ok(run.stderr.split('\n').filter(l => l.startsWith('import: ')).length >= 5, 'a line at each tenth')

    const failures = parseJsonLines(await readFile(`${catalog}.failures.jsonl`, 'utf8'))
    assert.deepEqual(failures.map(f => f.source).sort(), ['100', '200', '300', '400', '500', '600'].map(n => `${catalog}:${Number(n) + 1 + rowsBefore(Number(n))}`).sort())
    const byId = new Map(failures.filter(f => f.product !== undefined).map(f => [f.product.id, f]))
    assert.deepEqual(byId.get('CAT-0100').error.issues.map((i: { field: string }) => i.field), ['currency'])
    assert.deepEqual(byId.get('CAT-0200').error.issues.map((i: { field: string }) => i.field), ['price'])
    assert.deepEqual(byId.get('CAT 0300').error.issues.map((i: { field: string }) => i.field), ['id'])
    assert.deepEqual(byId.get('CAT-0400').error.issues.map((i: { field: string }) => i.field), ['name'])
    const unreadable = failures.filter(f => f.product === undefined)
    assert.equal(unreadable.length, 2)
    assert.ok(unreadable.every(f => f.error.name === 'InvalidRequestError'))
  })

  it('takes the failure file as the input of a second run', async () => {
    const path = `${catalog}.failures.jsonl`
    const fixed = parseJsonLines(await readFile(path, 'utf8')).map(line => {
      if (line.product === undefined) return line
      const product = { ...line.product, id: line.product.id.replace(' ', '-'), currency: 'EUR', price: '1.00', name: line.product.name ?? 'Fixed' }
      valid.push(validateProduct(product))
      return { ...line, product }
    })
    await writeFile(path, fixed.map(line => JSON.stringify(line) + '\n').join(''))
    const run = await runCli(['import', path, '--api', a.url, '--json', '--failures', join(dir.path, 'second.jsonl')], { env: withToken })
    assert.equal(run.code, 9, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { total: 6, succeeded: 4, failed: 2, failures: join(dir.path, 'second.jsonl') })
    const still = parseJsonLines(await readFile(join(dir.path, 'second.jsonl'), 'utf8'))
    assert.ok(still.every(f => /still unreadable/.test(f.error.message)))
  })

  it('exports what a node holds; it is what was imported', async () => {
    const run = await runCli(['export', '--api', b.url, '--format', 'jsonl'])
    assert.equal(run.code, 0, run.stderr)
    const exported = parseJsonLines(run.stdout)
    assert.equal(exported.length, 998)
    assert.deepEqual(sortById(exported), sortById(valid))
  })

  it('exports in every format, and each imports back unchanged into another network', async () => {
    for (const format of ['csv', 'jsonl', 'jsonld']) {
      const first = join(dir.path, `b.${format}`)
      const out = await runCli(['export', '--api', b.url, '--output', first, '--json'])
      assert.equal(out.code, 0, out.stderr)
      assert.deepEqual(JSON.parse(out.stdout), { exported: 998, missing: [], output: first, format })
      const imported = await runCli(['import', first, '--api', c.url, '--json'])
      assert.equal(imported.code, 0, imported.stderr)
      assert.deepEqual(JSON.parse(imported.stdout), { total: 998, succeeded: 998, failed: 0 })
      const second = join(dir.path, `c.${format}`)
      const back = await runCli(['export', '--api', c.url, '--output', second])
      assert.equal(back.code, 0, back.stderr)
      assert.match(back.stdout, new RegExp(`^exported 998 products to .*c\\.${format} \\(${format}\\)$`, 'm'))
      assert.deepEqual(await sortedRecords(second, format), await sortedRecords(first, format), `${format}: the export of the other network is the same`)
    }
    const held = parseJsonLines((await runCli(['export', '--api', c.url, '--format', 'jsonl'])).stdout)
    assert.deepEqual(sortById(held), sortById(valid), 'the other network holds the products, unchanged')
  })

  it('exports a list of ids, naming those nobody stored', async () => {
    const ids = join(dir.path, 'ids.txt')
    await writeFile(ids, '# wanted\nCAT-0002\n\nCAT-0001\n')
    const run = await runCli(['export', '--api', b.url, '--ids', ids, '--id', 'CAT-0003', 'NOBODY', '--output', join(dir.path, 'some.jsonl'), '--json'])
    assert.equal(run.code, 9)
    assert.deepEqual(JSON.parse(run.stdout).missing, ['NOBODY'])
    const products = parseJsonLines(await readFile(join(dir.path, 'some.jsonl'), 'utf8'))
    assert.deepEqual(products.map(p => p.id), ['CAT-0003', 'CAT-0002', 'CAT-0001'], 'in the order given')
    assert.deepEqual(products[0], valid.find(p => p.id === 'CAT-0003'))
    const noFormat = await runCli(['export', '--api', b.url, '--output', join(dir.path, 'x.txt')])
    assert.equal(noFormat.code, 2)
    assert.match(noFormat.stderr, /--format/)
  })

  it('stops at a daemon that does not answer, and lists every product not sent as failed', async () => {
    const small = join(dir.path, 'unsent.jsonl')
    await writeFile(small, valid.slice(0, 30).map(p => JSON.stringify(p) + '\n').join(''))
    const run = await runCli(['import', small, '--api', 'http://127.0.0.1:9', '--batch-size', '10', '--json'])
    assert.equal(run.code, 7)
    assert.match(run.stderr, /No daemon answered/)
    assert.deepEqual(JSON.parse(run.stdout), { total: 30, succeeded: 0, failed: 30, failures: `${small}.failures.jsonl` })
    const failures = parseJsonLines(await readFile(`${small}.failures.jsonl`, 'utf8'))
    assert.deepEqual(failures.map(f => f.product.id).sort(), valid.slice(0, 30).map(p => p.id).sort())
    assert.ok(failures.every(f => f.error.name === 'DaemonUnreachableError'))
  })

  it('on SIGINT, lets the requests on the wire finish and lists every product not imported (exit 130)', async () => {
    const big = join(dir.path, 'interrupted.jsonl')
    await writeFile(big, Array.from({ length: 1000 }, (_, i) => JSON.stringify({ id: `INT-${i}`, name: `Item ${i}`, price: '1.00', currency: 'EUR' }) + '\n').join(''))
    const run = startCli(['import', big, '--api', c.url, '--batch-size', '1', '--concurrency', '1'])
    // a tenth done, most of it still to send: interrupt
    const seen = Date.now() + 60_000
    while (!/^import: 100\/1000/m.test(run.output().stderr)) {
      assert.ok(Date.now() < seen && run.child.exitCode === null, `no progress line within 60 s: ${run.output().stderr}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    run.child.kill('SIGINT')
    const ended = await run.end()
    assert.equal(ended.code, 130, ended.stderr)
    assert.match(ended.stderr, /SIGINT: stopped before the end/)
    const [, imported, failed] = /^imported (\d+) of 1000 products; (\d+) failed/m.exec(ended.stdout) ?? []
    assert.equal(Number(imported) + Number(failed), 1000)
    assert.ok(Number(imported) >= 100 && Number(failed) > 0)
    const failures = parseJsonLines(await readFile(`${big}.failures.jsonl`, 'utf8'))
    assert.equal(failures.length, Number(failed))
    assert.ok(failures.every(f => f.error.name === 'InterruptedError'))
    // what it lists was not stored; the rest was
    const listed = failures.map(f => f.product.id)
    const notStored = await runCli(['export', '--api', c.url, '--id', ...listed.slice(0, 20), '--output', join(dir.path, 'none.jsonl'), '--json'])
    assert.deepEqual(JSON.parse(notStored.stdout).missing, listed.slice(0, 20))
    const again = await runCli(['import', `${big}.failures.jsonl`, '--api', c.url, '--json'])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(JSON.parse(again.stdout), { total: Number(failed), succeeded: Number(failed), failed: 0 })
  })

  it('shows a progress bar on a terminal', async () => {
    const small = join(dir.path, 'small.jsonl')
    await writeFile(small, valid.slice(0, 20).map(p => JSON.stringify(p) + '\n').join(''))
    const command = [process.execPath, '--import', import.meta.resolve('tsx'), BIN, 'import', small, '--api', a.url, '--batch-size', '5']
      .map(arg => `'${arg.replaceAll("'", "'\\''")}'`).join(' ')
    // script(1) gives the command a terminal
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...process.env, ...withToken, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin.end()
    let screen = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { screen += chunk })
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the import under script did not end')) }, 120_000)
      child.once('exit', code => { clearTimeout(timer); resolve(code) })
    })
    assert.equal(code, 0, screen)
    assert.match(screen, /import \[[█░]+\] 100% \| 20\/20 \| 0 failed/)
    assert.doesNotMatch(screen, /^import: /m, 'no plain progress lines on a terminal')
  })
})

/** Lines a CSV row of the generated catalog takes before row `n` beyond one each (descriptions hold a line break). */
function rowsBefore (n: number): number {
  let extra = 0
  for (let i = 1; i < n; i++) if (i % 3 === 0) extra++
  return extra
}

/** A catalog file's records in a form that ignores their order. */
async function sortedRecords (path: string, format: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8')
  if (format === 'jsonld') {
    const document = JSON.parse(text)
    return document['@graph'].sort((x: { sku: string }, y: { sku: string }) => x.sku < y.sku ? -1 : 1)
  }
  if (format === 'jsonl') {
    return sortById(parseJsonLines(text))
  }
  // CSV: the header first, then the records (a record may span lines), sorted
  const [header, ...records] = text.split(/\n(?=CAT-)/)
  return [header, ...records.map(r => r.trimEnd()).sort()]
}
