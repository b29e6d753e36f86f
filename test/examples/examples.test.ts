/**
 * The examples a user runs first, run as a user would: each in its own
 * process, on real sockets, checked by what it prints.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'

const run = promisify(execFile)

async function example (file: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], {
    env: { ...process.env, ...env },
    timeout: 60_000
  })
  return stdout
}

describe('examples', () => {
  it('seed.ts stores and retrieves the original snippet across peers', async () => {
    const out = await example('seed.ts')
    assert.equal(out, 'DHT result: name:Widget,price:99.99\nDHT result: not_found\n')
  })

  it('local-network.ts (npm start) puts on one peer and reads on others', async () => {
    const out = await example('local-network.ts', ['5'])
    assert.match(out, /5 peers ready/)
    assert.match(out, /peer \d+ read P001: \{"id":"P001","name":"Widget","price":"99.99","currency":"EUR","tags":\["tools"\]\}/)
    assert.match(out, /read P002: .*"price":"1500","currency":"JPY"/)
    assert.match(out, /read P003: .*"price":"12.500","currency":"BHD"/)
    // each of the 4 puts lands on r = 3 peers (one more when the writer learned of a closer peer mid-put)
    assert.equal(out.match(/replicas: peer \d+ \(…\w+\), peer \d+ \(…\w+\), peer \d+ \(…\w+\)(, peer \d+ \(…\w+\))?\n/g)?.length, 4)
    assert.match(out, /A read of an id nobody stored returns: undefined/)
    assert.match(out, /Stopped 5 peers/)
  })

  it('seller.ts publishes with a key file in a closed catalog and refuses other keys', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = await mkdtemp(join(tmpdir(), 'product-dht-seller-'))
    try {
      const keyFile = join(dir, 'seller.key')
      const first = await example('seller.ts', [keyFile])
      assert.match(first, /signed by the seller/)
      assert.match(first, /peer 2 lowered the price: version 2/)
      assert.match(first, /"price":"35.00"/)
      assert.match(first, /peer 3 publishing with its own key: UnauthorizedPublisherError/)
      // the same key file, the same seller
      const second = await example('seller.ts', [keyFile])
      assert.equal(second.split('\n')[0], first.split('\n')[0])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('seller.ts without a key file keeps the key in memory and writes no file', async () => {
    const { readdir } = await import('node:fs/promises')
    const before = await readdir('.')
    const out = await example('seller.ts')
    assert.match(out, /a key in memory for this run/)
    assert.match(out, /peer 3 publishing with its own key: UnauthorizedPublisherError/)
    assert.deepEqual(await readdir('.'), before, 'seller.ts wrote into the working tree')
  })

  it('service.ts runs the service in a hand-built libp2p node next to createProductNode peers', async () => {
    const out = await example('service.ts')
    assert.match(out, /own node listens on .*\/tcp\/\d+\/ws/)
    assert.match(out, /own node knows [12] record peers/)
    assert.match(out, /SERVICE-1 version 1 on 3 replicas/)
    assert.match(out, /a createProductNode peer reads it: \{[^}]*name: 'Put by a hand-built node'/)
    assert.match(out, /own node reads SERVICE-2: \{[^}]*currency: 'USD'/)
  })

  it('api.ts runs the whole API', async () => {
    const out = await example('api.ts')
    assert.match(out, /stored Qm\w+ version 1 on 3 replicas/)
    // a read returns once R = 2 replicas answered; the third may or may not have been in time
    assert.match(out, /now 89.90 EUR, version 2, ([23])\/\1 agree/)
    assert.match(out, /refused: .*price.*EUR allows 2/s)
    assert.match(out, /after delete: undefined/)
  })

  it('join.ts: a second peer joins the first by its printed address, then puts and gets across', async () => {
    const first = spawn(process.execPath, ['--import', 'tsx', 'examples/join.ts'], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      let printed = ''
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`no address printed: ${printed}`)) }, 30_000)
        first.stdout.on('data', (chunk: Buffer) => {
          printed += chunk.toString()
          const match = /join\.ts (\/ip4\/\S+)/.exec(printed)
          if (match != null) { clearTimeout(timer); resolve(match[1]) }
        })
      })
      const out = await example('join.ts', [address])
      assert.match(out, /JOIN-A, put by the first peer: \{[^}]*name: 'Put by the first peer'/)
      assert.match(out, /JOIN-B read back: \{[^}]*price: '20.00'/)
    } finally {
      first.kill('SIGINT')
      await once(first, 'exit')
    }
  })

  it('local-network.ts refuses a bad peer count with usage', async () => {
    await assert.rejects(example('local-network.ts', ['1']), (err: { code?: number, stderr?: string }) => {
      assert.equal(err.code, 2)
      assert.match(err.stderr ?? '', /usage/)
      return true
    })
  })
})
