/**
 * The dashboard end to end, in headless Chromium (Debian's `chromium`,
 * driven by playwright-core): served by a daemon of a live three-node
 * network, it shows this node, its peers, the keyspace with a product put
 * through the API, and finds that product by id.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { startDaemonProcess, stopDaemons, tempDir } from '../helpers/daemon.js'
import type { DaemonProcess } from '../helpers/daemon.js'
import type { Browser, Page } from 'playwright-core'

/** Debian's chromium, where it is installed. */
function chromiumPath (): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
    } catch {}
  }
  return undefined
}

const executablePath = chromiumPath()
// CI installs chromium (.ci/run); elsewhere a missing browser skips these tests, visibly
const skip = executablePath === undefined && process.env.CI === undefined ? 'chromium is not installed (apt-get install chromium)' : false

describe('the dashboard in headless Chromium', { skip }, () => {
  let daemons: DaemonProcess[] = []
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []
  const failedLoads: string[] = []
  let dir: Awaited<ReturnType<typeof tempDir>>

  before(async () => {
    assert.ok(executablePath !== undefined, 'chromium is installed (.ci/run installs it)')
    dir = await tempDir('dashboard')
    const a = await startDaemonProcess()
    daemons = [a, ...await Promise.all([startDaemonProcess(['--bootstrap', a.multiaddrs[0]]), startDaemonProcess(['--bootstrap', a.multiaddrs[0]])])]
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'], timeout: 60_000 })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.setDefaultTimeout(30_000)
    page.on('pageerror', err => { pageErrors.push(err.message) })
    // the page's own loads (the API's answers, a 404 for an unknown id among them, are the tests' business)
    page.on('response', response => {
      if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith('/v1/')) failedLoads.push(`${response.status()} ${response.url()}`)
    })
  })
  after(async () => {
    await browser?.close()
    assert.deepEqual(await stopDaemons(daemons), daemons.map(() => 0))
    await dir?.remove()
  })

  it('shows the node and its two peers', async () => {
    const [a, b, c] = daemons
    await page.goto(`${b.url}/`)
    assert.equal(await page.title(), 'product-dht')
    await page.locator('#self-id', { hasText: b.peerId }).waitFor()
    for (const peer of [a, c]) {
      const row = page.locator(`#peers tr[data-peer="${peer.peerId}"]`)
      await row.waitFor()
      assert.match(await row.innerText(), /record peer/)
      assert.match(await row.innerText(), /\/ip4\/127\.0\.0\.1\/tcp\//)
    }
    assert.equal(await page.locator('#peers tr').count(), 2)
    assert.equal(await page.locator('#multiaddrs').innerText(), b.multiaddrs.join('\n'))
    await page.locator('#ring circle[data-peer]').nth(2).waitFor()
    assert.equal(await page.locator('#ring circle[data-peer]').count(), 3, 'the three nodes on the keyspace ring')
  })

  it('shows a product put through the API on the keyspace, with its replicas, and counts it as held', async () => {
    const [a, b] = daemons
    const response = await fetch(`${a.url}/v1/products/DASH-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dashboard <b>lamp</b>', price: '24.50', currency: 'EUR', category: 'Lighting' }),
      signal: AbortSignal.timeout(30_000)
    })
    assert.equal(response.status, 200)
    const more = await fetch(`${a.url}/v1/products:batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ products: Array.from({ length: 8 }, (_, i) => ({ id: `DASH-${i + 2}`, name: `Item ${i + 2}`, price: i + 1, currency: 'EUR' })) }),
      signal: AbortSignal.timeout(30_000)
    })
    const batch = await more.json() as { succeeded: number, results: unknown[] }
    assert.equal(batch.succeeded, 8, JSON.stringify(batch.results))
    await page.locator('#ring rect[data-product]').nth(8).waitFor()
    assert.equal(await page.locator('#ring rect[data-product]').count(), 9, 'the recent products on the ring')
    const product = page.locator('#ring rect[data-product="DASH-1"]')
    await product.waitFor()
    const title = await product.locator('title').textContent()
    const replicas = (await (await fetch(`${b.url}/v1/keyspace`)).json() as { products: Array<{ id: string, replicas: string[] }> }).products.find(p => p.id === 'DASH-1')?.replicas
    assert.equal(replicas?.length, 3, 'three replicas among three nodes')
    assert.match(title ?? '', /^DASH-1 → /)
    assert.ok(await page.locator('#ring line').count() >= 3, 'lines from the product to its replicas')
    await page.locator('#records-held', { hasText: /^9$/ }).waitFor()
    // operations of this node count in the rates; B stored DASH-1 as a replica, A put it
    assert.match(await page.locator('#rate-put').innerText(), /^\d+\.\d$/)
  })

  it('finds a product by id, and says so when none has it', async () => {
    const [a] = daemons
    await page.fill('#search-id', 'DASH-1')
    await page.click('#search button')
    const result = page.locator('#search-result', { hasText: 'Dashboard <b>lamp</b>' })
    await result.waitFor()
    const text = await result.innerText()
    assert.match(text, new RegExp(`^version 1, published by ${a.peerId}$`, 'm'))
    assert.deepEqual(JSON.parse(text.slice(text.indexOf('\n') + 1)), { id: 'DASH-1', name: 'Dashboard <b>lamp</b>', price: '24.50', currency: 'EUR', category: 'Lighting' })
    assert.equal(await page.locator('#search-result b').count(), 0, 'product data is shown as text, never as HTML')

    await page.fill('#search-id', 'NOBODY-HAS-IT')
    await page.click('#search button')
    await page.locator('#search-result.error', { hasText: 'ProductNotFoundError' }).waitFor()
    // a screenshot, as the README shows it
    const path = process.env.DASHBOARD_SCREENSHOT ?? join(dir.path, 'dashboard.png')
    await page.fill('#search-id', 'DASH-1')
    await page.click('#search button')
    await page.locator('#search-result', { hasText: 'version 1' }).waitFor()
    await page.screenshot({ path, fullPage: true })
    const png = await readFile(path)
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')])
    assert.deepEqual(pageErrors, [], 'no script errors on the page')
    assert.deepEqual(failedLoads, [], 'nothing the page loads fails')
  })
})
