/**
 * `product-dht daemon` as an operator runs it: settings from flags, the
 * environment and a config file (flags win), refusals with their exit codes,
 * a clean stop on SIGINT, a restart that keeps identity and records, and a
 * write that cannot reach its quorum.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ApiClient } from '../../src/cli/client.js'
import { runCli, startDaemonProcess, stopDaemons, tempDir } from '../helpers/daemon.js'
import type { DaemonProcess } from '../helpers/daemon.js'

describe('the daemon command', () => {
  const started: DaemonProcess[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  const dir = async (): Promise<string> => {
    const made = await tempDir('daemon-test')
    dirs.push(made)
    return made.path
  }
  after(async () => {
    await stopDaemons(started)
    await Promise.all(dirs.map(async d => d.remove()))
  })

  it('takes its settings from flags over environment variables over a config file', async () => {
    const [fromFile, fromEnv, fromFlag] = [await dir(), await dir(), await dir()]
    const config = join(await dir(), 'config.json')
    await writeFile(config, JSON.stringify({ dataDir: fromFile, catalog: 'from-file', writeQuorum: 1, readQuorum: 1, listen: ['/ip4/127.0.0.1/tcp/0'] }))
    const options = { dataDirFlag: false }
    const daemons = await Promise.all([
      startDaemonProcess(['--config', config, '--data-dir', fromFlag], { ...options, env: { PRODUCT_DHT_DATA_DIR: fromEnv } }),
      startDaemonProcess(['--config', config], { ...options, env: { PRODUCT_DHT_DATA_DIR: fromEnv, PRODUCT_DHT_LISTEN: '/ip4/127.0.0.1/tcp/0, /ip4/127.0.0.1/tcp/0' } }),
      startDaemonProcess([], { ...options, env: { PRODUCT_DHT_CONFIG: config } })
    ])
    started.push(...daemons)
    assert.deepEqual(daemons.map(d => d.dataDir), [fromFlag, fromEnv, fromFile])
    assert.equal(daemons[1].multiaddrs.length, 2, 'a list from the environment, comma separated')
    assert.equal(daemons[2].multiaddrs.length, 1, 'the list from the file')
    // the file's quorums of 1 hold: a lone daemon can write
    const put = await runCli(['put', '{"id":"CFG-1","name":"x","price":1,"currency":"EUR"}', '--api', daemons[2].url])
    assert.equal(put.code, 0, put.stderr)
  })

  it('takes the replica-maintenance settings, and refuses a rate of 0 (exit 2)', async () => {
    const config = join(await dir(), 'maintenance.json')
    await writeFile(config, JSON.stringify({ maintenanceInterval: 200 }))
    const daemon = await startDaemonProcess(['--config', config, '--maintenance-rate', '50'], { env: { PRODUCT_DHT_MAINTENANCE_DELAY: '100' } })
    started.push(daemon)
    // a sweep every 200 ms (± 20 %) rather than every 10 minutes: passes add up within seconds
    const client = new ApiClient({ url: daemon.url })
    const deadline = Date.now() + 20_000
    while ((await client.status()).maintenance.passes < 3) {
      assert.ok(Date.now() < deadline, 'fewer than 3 maintenance passes within 20 s')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const run = await runCli(['daemon', '--data-dir', await dir(), '--maintenance-rate', '0'])
    assert.equal(run.code, 2)
    assert.match(run.stderr, /--maintenance-rate <records>' argument '0' is invalid/)
  })

  it('holds its records back when started again after longer than --tombstone-grace-period', async () => {
    const dataDir = await dir()
    const flags = ['--write-quorum', '1', '--read-quorum', '1', '--tombstone-grace-period', '1000']
    const first = await startDaemonProcess(flags, { dataDir })
    const put = await runCli(['put', '{"id":"AWAY-1","name":"Kept","price":"1.00","currency":"EUR"}', '--api', first.url])
    assert.equal(put.code, 0, put.stderr)
    assert.equal(await first.stop('SIGTERM'), 0)
    await new Promise(resolve => setTimeout(resolve, 1_500))
    const second = await startDaemonProcess(flags, { dataDir })
    started.push(second)
    // alone, nobody can confirm the record: it stays held back, and no read gets it
    const status = await new ApiClient({ url: second.url }).status()
    assert.equal(status.maintenance.heldBack, 1)
    assert.equal(status.recordsHeld, 0)
    const text = await runCli(['status', '--api', second.url])
    assert.match(text.stdout, /held back {8}1 /)
  })

  it('takes --read-fanout and --read-hedge-delay, and refuses a fanout it does not know (exit 2)', async () => {
    const daemon = await startDaemonProcess(['--write-quorum', '1', '--read-quorum', '1', '--read-fanout', 'all', '--read-hedge-delay', '20'])
    started.push(daemon)
    const put = await runCli(['put', '{"id":"FAN-1","name":"Fanned","price":"1.00","currency":"EUR"}', '--api', daemon.url])
    assert.equal(put.code, 0, put.stderr)
    const get = await runCli(['get', 'FAN-1', '--api', daemon.url])
    assert.equal(get.code, 0, get.stderr)
    assert.match(get.stdout, /Fanned/)
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text()
    assert.match(metrics, /^product_dht_read_hedges_total 0$/m)
    const flag = await runCli(['daemon', '--data-dir', await dir(), '--read-fanout', 'some'])
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /'some' is invalid.*quorum, all/)
    const config = join(await dir(), 'fanout.json')
    await writeFile(config, JSON.stringify({ readFanout: 'some' }))
    const fromFile = await runCli(['daemon', '--data-dir', await dir(), '--http-port', '0', '--config', config])
    assert.equal(fromFile.code, 2, fromFile.stderr)
    assert.match(fromFile.stderr, /--read-fanout must be 'quorum' or 'all'; got some/)
  })

  it('refuses a config file with unknown or mistyped settings (exit 2)', async () => {
    const config = join(await dir(), 'bad.json')
    await writeFile(config, JSON.stringify({ dataDir: 5, colour: 'red' }))
    const run = await runCli(['daemon', '--config', config])
    assert.equal(run.code, 2)
    assert.match(run.stderr, /dataDir: must be a string/)
    assert.match(run.stderr, /colour: not a setting/)
  })

  it('refuses to take writes beyond loopback without a token, before it starts (exit 2)', async () => {
    const run = await runCli(['daemon', '--data-dir', await dir(), '--http-host', '0.0.0.0'])
    assert.equal(run.code, 2)
    assert.match(run.stderr, /beyond loopback, without a token/)
    const short = await runCli(['daemon', '--data-dir', await dir(), '--api-token', 'short'])
    assert.equal(short.code, 2)
    assert.match(short.stderr, /at least 16 characters/)
  })

  it('exits 10, naming the address, when no bootstrap peer answers', async () => {
    const nobody = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const run = await runCli(['daemon', '--data-dir', await dir(), '--http-port', '0', '--bootstrap', `/ip4/127.0.0.1/tcp/9/p2p/${nobody}`])
    assert.equal(run.code, 10)
    assert.match(run.stderr, /The daemon could not start: Could not reach any bootstrap peer: \/ip4\/127\.0\.0\.1\/tcp\/9/)
    assert.match(run.stderr, /or pass --start-alone to start without them/, 'the advice names the flag, not the library option')
  })

  it('stops cleanly on SIGINT and starts again with the same identity and records', async () => {
    const dataDir = await dir()
    const first = await startDaemonProcess(['--write-quorum', '1', '--read-quorum', '1'], { dataDir })
    const put = await runCli(['put', '{"id":"KEPT-1","name":"Kept","price":"2.50","currency":"EUR"}', '--api', first.url])
    assert.equal(put.code, 0, put.stderr)
    assert.equal(await first.stop('SIGINT'), 0)
    const second = await startDaemonProcess(['--write-quorum', '1', '--read-quorum', '1'], { dataDir })
    started.push(second)
    assert.equal(second.peerId, first.peerId)
    const get = await runCli(['get', 'KEPT-1', '--api', second.url, '--json'])
    assert.equal(get.code, 0, get.stderr)
    assert.equal(JSON.parse(get.stdout).product.price, '2.50')
  })

  it('answers 503 QuorumError, and the CLI exits 8, when a write cannot reach W replicas', async () => {
    // alone, with the default W = 2
    const lone = await startDaemonProcess()
    started.push(lone)
    const response = await fetch(`${lone.url}/v1/products/ALONE-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Alone', price: 1, currency: 'EUR' }),
      signal: AbortSignal.timeout(60_000)
    })
    assert.equal(response.status, 503)
    const body = await response.json() as { name: string, needed: number, succeeded: number }
    assert.equal(body.name, 'QuorumError')
    assert.equal(body.needed, 2)
    assert.equal(body.succeeded, 1)
    const run = await runCli(['put', '{"id":"ALONE-2","name":"Alone","price":1,"currency":"EUR"}', '--api', lone.url])
    assert.equal(run.code, 8)
    assert.match(run.stderr, /QuorumError/)
  })
})
