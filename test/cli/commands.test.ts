/**
 * The client commands of the CLI, each run as a process against two live
 * daemons on 127.0.0.1 (A takes writes with a token only, B joined A):
 * put, get, delete, status, peers, keygen and --help, with their exit
 * codes and --json output.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { runCli, startDaemonProcess, stopDaemons, tempDir } from '../helpers/daemon.js'
import type { DaemonProcess } from '../helpers/daemon.js'

const TOKEN = 'cli-test-token-0123456789'

describe('the product-dht client commands against live daemons', () => {
  let a: DaemonProcess
  let b: DaemonProcess
  let dir: Awaited<ReturnType<typeof tempDir>>
  /** runs a command against A, with its token in the environment */
  const onA = async (args: string[], input?: string) => runCli([...args, '--api', a.url], { input, env: { PRODUCT_DHT_API_TOKEN: TOKEN } })
  const onB = async (args: string[], input?: string) => runCli([...args, '--api', b.url], { input })

  before(async () => {
    dir = await tempDir('cli')
    a = await startDaemonProcess(['--api-token', TOKEN])
    b = await startDaemonProcess(['--bootstrap', a.multiaddrs[0]])
  })
  after(async () => {
    assert.deepEqual(await stopDaemons([b, a]), [0, 0])
    await dir.remove()
  })

  it('prints help for the program and for every command, with the exit codes', async () => {
    const top = await runCli(['--help'])
    assert.equal(top.code, 0)
    for (const command of ['daemon', 'put', 'get', 'delete', 'status', 'peers', 'import', 'export', 'keygen']) {
      assert.match(top.stdout, new RegExp(`^  ${command} `, 'm'), `--help lists ${command}`)
    }
    assert.match(top.stdout, /Exit codes:/)
    const helps = await Promise.all(['daemon', 'put', 'get', 'delete', 'status', 'peers', 'import', 'export', 'keygen'].map(async command => [command, await runCli([command, '--help'])] as const))
    for (const [command, run] of helps) {
      assert.equal(run.code, 0, `${command} --help`)
      assert.match(run.stdout, new RegExp(`^Usage: product-dht ${command} `, 'm'))
    }
    const unknown = await runCli(['frobnicate'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown command 'frobnicate'/)
    const version = await runCli(['--version'])
    assert.equal(version.stdout.trim(), JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version)
  })

  it('puts a product given as an argument, a file or on standard input, and gets it from the other daemon', async () => {
    const fromArg = await onA(['put', '{"id":"CLI-1","name":"Widget","price":9.99,"currency":"EUR"}', '--json'])
    assert.equal(fromArg.code, 0, fromArg.stderr)
    const receipt = JSON.parse(fromArg.stdout)
    assert.equal(receipt.id, 'CLI-1')
    assert.equal(receipt.version, 1)
    assert.equal(receipt.replicas.length, 2)

    const file = join(dir.path, 'p2.json')
    await writeFile(file, JSON.stringify({ id: 'CLI-2', name: 'Gadget', price: '1500', currency: 'JPY', tags: ['new'] }))
    const fromFile = await onA(['put', '--file', file])
    assert.equal(fromFile.code, 0, fromFile.stderr)
    assert.match(fromFile.stdout, /^stored CLI-2: version 1 on 2 replicas$/m)

    const fromStdin = await onA(['put'], '{"id":"CLI-3","name":"Sprocket","price":"0.50","currency":"USD"}')
    assert.equal(fromStdin.code, 0, fromStdin.stderr)
    const dash = await onA(['put', '-'], '{"id":"CLI-4","name":"Cog","price":"1","currency":"USD"}')
    assert.equal(dash.code, 0, dash.stderr)

    const read = await onB(['get', 'CLI-2', '--json'])
    assert.equal(read.code, 0, read.stderr)
    assert.deepEqual(JSON.parse(read.stdout), {
      product: { id: 'CLI-2', name: 'Gadget', price: '1500', currency: 'JPY', tags: ['new'] },
      version: 1,
      publisher: a.peerId,
      updatedAt: JSON.parse(read.stdout).updatedAt
    })
    // ISO 8601, within the last minutes (the API's Last-Modified has whole seconds)
    const updatedAt = JSON.parse(read.stdout).updatedAt as string
    assert.match(updatedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/)
    assert.ok(Math.abs(Date.now() - Date.parse(updatedAt)) < 10 * 60_000, updatedAt)
    const text = await onB(['get', 'CLI-3'])
    assert.deepEqual(JSON.parse(text.stdout), { id: 'CLI-3', name: 'Sprocket', price: '0.50', currency: 'USD' })
    assert.match(text.stderr, new RegExp(`^version 1, published by ${a.peerId}$`, 'm'))
  })

  it('exits 4 naming each failing field, 2 for input that is not JSON or has no id, 6 without the token', async () => {
    const invalid = await onA(['put', '{"id":"CLI-5","name":"","price":"1.999","currency":"EUR","stock":3}'])
    assert.equal(invalid.code, 4)
    assert.match(invalid.stderr, /InvalidProductError/)
    for (const field of ['name', 'price', 'stock']) {
      assert.match(invalid.stderr, new RegExp(`^  ${field}: `, 'm'), `names ${field}`)
    }
    const notJson = await onA(['put', '{"id": "CLI-5",'])
    assert.equal(notJson.code, 2)
    assert.match(notJson.stderr, /not valid JSON/)
    const noId = await onA(['put', '{"name":"x"}'])
    assert.equal(noId.code, 2)
    assert.match(noId.stderr, /needs an "id"/)
    const missingFile = await onA(['put', '--file', join(dir.path, 'nope.json')])
    assert.equal(missingFile.code, 2)
    const noToken = await runCli(['put', '{"id":"CLI-5","name":"x","price":1,"currency":"EUR"}', '--api', a.url])
    assert.equal(noToken.code, 6)
    assert.match(noToken.stderr, /UnauthorizedError/)
    const wrongToken = await runCli(['put', '{"id":"CLI-5","name":"x","price":1,"currency":"EUR"}', '--api', a.url, '--token', 'wrong-token-0000000000'])
    assert.equal(wrongToken.code, 6)
    assert.equal((await onB(['get', 'CLI-5'])).code, 3, 'nothing was stored')
  })

  it('compare-and-set: exits 5 on a stale --if-match or an existing product with --if-none-match', async () => {
    const stale = await onA(['put', '{"id":"CLI-1","name":"Widget","price":8.99,"currency":"EUR"}', '--if-match', '4'])
    assert.equal(stale.code, 5)
    assert.match(stale.stderr, /VersionConflictError/)
    const exists = await onA(['put', '{"id":"CLI-1","name":"Widget","price":8.99,"currency":"EUR"}', '--if-none-match'])
    assert.equal(exists.code, 5)
    const fresh = await onA(['put', '{"id":"CLI-1","name":"Widget","price":8.99,"currency":"EUR"}', '--if-match', '1', '--json'])
    assert.equal(fresh.code, 0, fresh.stderr)
    assert.equal(JSON.parse(fresh.stdout).version, 2)
    const both = await onA(['put', '{"id":"CLI-1","name":"W","price":1,"currency":"EUR"}', '--if-match', '2', '--if-none-match'])
    assert.equal(both.code, 2)
  })

  it('deletes; a deleted or unknown product exits 3', async () => {
    const deleted = await onA(['delete', 'CLI-4', '--json'])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.equal(JSON.parse(deleted.stdout).version, 2)
    const gone = await onB(['get', 'CLI-4'])
    assert.equal(gone.code, 3)
    assert.match(gone.stderr, /No product CLI-4/)
    const notOwner = await onB(['delete', 'CLI-3'])
    assert.equal(notOwner.code, 6, 'B signs with its own key: A owns CLI-3')
    assert.match(notOwner.stderr, /NotOwnerError/)
    const badId = await onB(['get', 'not an id'])
    assert.equal(badId.code, 4)
  })

  it('exits 7 when no daemon answers', async () => {
    const status = await runCli(['status', '--api', 'http://127.0.0.1:9', '--timeout', '5000'])
    assert.equal(status.code, 7)
    assert.match(status.stderr, /No daemon answered at http:\/\/127\.0\.0\.1:9/)
    const typo = await runCli(['status', '--api', 'not-a-url'])
    assert.equal(typo.code, 2, 'a URL that is not one is a usage error')
    assert.match(typo.stderr, /must be an http:\/\/ or https:\/\/ URL/)
  })

  it('shows the status and the peers, as text and as JSON', async () => {
    const status = await onB(['status', '--json'])
    assert.equal(status.code, 0, status.stderr)
    const parsed = JSON.parse(status.stdout)
    assert.equal(parsed.peerId, b.peerId)
    assert.deepEqual(parsed.multiaddrs, b.multiaddrs)
    assert.equal(parsed.recordPeers, 1)
    // CLI-1, CLI-2, CLI-3 and the tombstone of CLI-4
    assert.equal(parsed.recordsHeld, 4)
    const text = await onB(['status'])
    assert.match(text.stdout, new RegExp(`^peer id +${b.peerId}$`, 'm'))
    assert.match(text.stdout, /^records held +4$/m)

    const peers = await onA(['peers', '--json'])
    assert.equal(peers.code, 0)
    assert.deepEqual(JSON.parse(peers.stdout).map((p: { peerId: string, recordPeer: boolean }) => [p.peerId, p.recordPeer]), [[b.peerId, true]])
    const peersText = await onA(['peers'])
    assert.match(peersText.stdout, new RegExp(`^${b.peerId} +record peer +/ip4/127\\.0\\.0\\.1/tcp/`, 'm'))
  })

  it('makes a publisher key file, and never overwrites one', async () => {
    const file = join(dir.path, 'seller.key')
    const made = await runCli(['keygen', file, '--json'])
    assert.equal(made.code, 0, made.stderr)
    const { publisher } = JSON.parse(made.stdout)
    const key = privateKeyFromProtobuf(await readFile(file))
    assert.equal(publisher, peerIdFromPrivateKey(key).toString())
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    const again = await runCli(['keygen', file])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /never overwrites/)
    assert.deepEqual(privateKeyFromProtobuf(await readFile(file)).raw, key.raw, 'the key is unchanged')
  })
})
