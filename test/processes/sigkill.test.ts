/**
 * SIGKILL during a write burst: a daemon process in a three-node network
 * (on 127.0.0.1) takes a few hundred concurrent writes through its HTTP API
 * and is killed with SIGKILL in the middle of them. Restarted on the same
 * data directory, it still holds every write its API acknowledged, and the
 * network reads them.
 *
 * With three nodes and r = 3 the killed node is a replica of every product,
 * and a put answers only after every replica answered (its own included),
 * so each acknowledged write was in its LevelDB before the 200 went out.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ApiClient } from '../../src/cli/client.js'
import { startDaemonProcess, tempDir } from '../helpers/daemon.js'
import type { DaemonProcess } from '../helpers/daemon.js'

/** products, and sequential writes to each: a few hundred writes in all */
const PRODUCTS = 100
const WRITES_EACH = 3
/** writes in flight at once */
const CONCURRENCY = 32
/** the kill comes once this many writes were acknowledged: a third of the burst */
const KILL_AFTER = Math.floor(PRODUCTS * WRITES_EACH / 3)

/** Waits (at most `timeout` ms) for the daemon's process to end. */
async function exited (daemon: DaemonProcess, timeout: number): Promise<void> {
  const { child } = daemon
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`process ${child.pid} still runs ${timeout} ms after SIGKILL`)) }, timeout)
    child.once('exit', () => { clearTimeout(timer); resolve() })
  })
}

describe('a daemon killed with SIGKILL during a write burst', () => {
  const started: DaemonProcess[] = []
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined
  let seed: DaemonProcess
  let victim: DaemonProcess

  before(async () => {
    dir = await tempDir('sigkill')
    const start = async (...args: Parameters<typeof startDaemonProcess>): Promise<DaemonProcess> => {
      const daemon = await startDaemonProcess(...args)
      started.push(daemon)
      return daemon
    }
    seed = await start()
    const joined = await Promise.all([
      start(['--bootstrap', seed.multiaddrs[0]]),
      start(['--bootstrap', seed.multiaddrs[0]], { dataDir: dir.path })
    ])
    victim = joined[1]
    // the writes below need all three replicas known to the victim
    const deadline = Date.now() + 30_000
    while ((await new ApiClient({ url: victim.url }).status()).recordPeers < 2) {
      assert.ok(Date.now() < deadline, 'the victim did not see both other nodes within 30 s')
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  })

  after(async () => {
    await Promise.allSettled(started.map(async d => d.stop()))
    await dir?.remove()
  })

  it('keeps every acknowledged write, on its own disk and for the network', async () => {
    const api = new ApiClient({ url: victim.url, timeout: 30_000 })
    /** per product, the last write acknowledged: its number in the product's sequence and its version */
    const acknowledged = new Map<string, { write: number, version: number }>()
    let acks = 0
    let lost = 0
    let killed = false
    const chain = async (id: string): Promise<void> => {
      // each product's writes one after the other: a later write has a higher version
      for (let write = 1; write <= WRITES_EACH && !killed; write++) {
        let receipt
        try {
          receipt = await api.putProduct(id, { name: `${id} write ${write}`, price: `${write}.00`, currency: 'EUR', attributes: { write } })
        } catch (err) {
          // only the kill may fail a write
          assert.ok(killed, `write ${write} of ${id} failed before the kill: ${(err as Error).message}`)
          lost++
          return
        }
        // a 200 that was on its way when the kill came counts as acknowledged too
        assert.ok(receipt.replicas.includes(victim.peerId), `the victim is a replica of ${id}: ${receipt.replicas.join(', ')}`)
        acknowledged.set(id, { write, version: receipt.version })
        if (++acks === KILL_AFTER) {
          killed = true
          victim.child.kill('SIGKILL')
        }
      }
    }
    const ids = Array.from({ length: PRODUCTS }, (_, i) => `BURST-${String(i).padStart(3, '0')}`)
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length && !killed) await chain(ids[next++])
    }))
    await exited(victim, 10_000)
    assert.equal(victim.child.signalCode, 'SIGKILL')
    // mid-burst: writes were acknowledged, and others were on the wire when it died
    assert.ok(acks >= KILL_AFTER, `${acks} writes acknowledged`)
    assert.ok(lost > 0, 'no write was in flight at the kill')

    // the same data directory; no maintenance pass for now, so what it holds
    // comes from its disk, not from anti-entropy with the two others
    const restarted = await startDaemonProcess(['--bootstrap', seed.multiaddrs[0], '--maintenance-delay', '600000'], { dataDir: dir!.path })
    started.push(restarted)
    assert.equal(restarted.peerId, victim.peerId)
    const held = new Map<string, number>()
    for await (const product of new ApiClient({ url: restarted.url }).heldProducts({ signal: AbortSignal.timeout(30_000) })) {
      held.set(product.id, Number(product.attributes?.write))
    }
    const missing = [...acknowledged].filter(([id, ack]) => !((held.get(id) ?? 0) >= ack.write))
    assert.deepEqual(missing.map(([id, ack]) => `${id} write ${ack.write}: holds ${held.get(id) ?? 'nothing'}`), [], 'acknowledged writes the restarted node does not hold')

    // and the network reads each at its acknowledged version or a later one
    for (const reader of [restarted, seed]) {
      const client = new ApiClient({ url: reader.url, timeout: 30_000 })
      const stale: string[] = []
      for (const [id, ack] of acknowledged) {
        const read = await client.getProduct(id)
        if (read === undefined || read.version < ack.version || Number(read.product.attributes?.write) < ack.write) {
          stale.push(`${id}: acknowledged version ${ack.version}, read ${read === undefined ? 'nothing' : `version ${read.version}`}`)
        }
      }
      assert.deepEqual(stale, [], `reads through ${reader === seed ? 'another node' : 'the restarted node'}`)
    }
  })
})
