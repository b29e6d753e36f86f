/**
 * Builds and drives the go-libp2p test peer in test/interop/go-peer: a
 * Kademlia DHT server written by others, the reference our nodes must work
 * with. The binary is cached under the system temp directory, keyed by a hash
 * of the Go sources, so only the first run pays for `go build`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import type { Interface } from 'node:readline'

const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'go-peer')
const SOURCES = ['go.mod', 'go.sum', 'main.go']

/** Why the Go peer cannot be used here, or undefined when it can. */
export function goMissing (): string | undefined {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' })
  if (result.error != null || result.status !== 0) {
    return 'Go is not installed (no `go` on PATH): the go-libp2p interop tests are skipped'
  }
  return undefined
}

/** Builds the Go peer once per source version and returns the binary's path. */
export function buildGoPeer (): string {
  const hash = createHash('sha256')
  for (const file of SOURCES) hash.update(readFileSync(join(SOURCE_DIR, file)))
  const binary = join(tmpdir(), `product-dht-go-peer-${hash.digest('hex').slice(0, 16)}`)
  if (!existsSync(binary)) {
    // the first build downloads go-libp2p and compiles it: about a minute on 2 cores
    const result = spawnSync('go', ['build', '-o', binary, '.'], { cwd: SOURCE_DIR, encoding: 'utf8', timeout: 600_000 })
    if (result.status !== 0) {
      throw new Error(`go build of the interop peer failed: ${result.stderr ?? ''}${result.error?.message ?? ''}`)
    }
  }
  return binary
}

/** A running Go peer: one command per line on stdin, one answer per line on stdout. */
export class GoPeer {
  readonly addresses: string[]
  private readonly child: ChildProcessWithoutNullStreams
  private readonly lines: Interface
  private readonly pending: string[] = []
  private waiting?: (line: string) => void

  private constructor (child: ChildProcessWithoutNullStreams, lines: Interface, addresses: string[]) {
    this.child = child
    this.lines = lines
    this.addresses = addresses
  }

  /** `prefix`: the DHT speaks `<prefix>/kad/1.0.0` (default `/product-dht`); `k`: its bucket size (default 20). */
  static async start (binary: string, options: { prefix?: string, k?: number } = {}): Promise<GoPeer> {
    const args = ['-prefix', options.prefix ?? '/product-dht', '-k', String(options.k ?? 20)]
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const lines = createInterface({ input: child.stdout })
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('the Go peer printed no address in 10 s')) }, 10_000)
      lines.once('line', line => { clearTimeout(timer); resolve(line) })
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`the Go peer exited with ${code}`)) })
    })
    const peer = new GoPeer(child, lines, parse(first))
    lines.on('line', line => { peer.deliver(line) })
    return peer
  }

  /** The peer id the Go peer's addresses end in. */
  get peerId (): string {
    return this.addresses[0].split('/p2p/')[1]
  }

  /** Sends one command and returns the fields of its "ok" answer; rejects on "err" or after `timeout` ms. */
  async command (line: string, timeout = 40_000): Promise<string[]> {
    this.child.stdin.write(`${line}\n`)
    const answer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting = undefined; reject(new Error(`no answer to "${line}" in ${timeout} ms`)) }, timeout)
      const take = (text: string): void => { clearTimeout(timer); resolve(text) }
      const queued = this.pending.shift()
      if (queued !== undefined) take(queued)
      else this.waiting = take
    })
    return parse(answer)
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise(resolve => this.child.once('exit', resolve))
    this.child.stdin.end('quit\n')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
    this.lines.close()
  }

  private deliver (line: string): void {
    const waiting = this.waiting
    if (waiting !== undefined) {
      this.waiting = undefined
      waiting(line)
    } else {
      this.pending.push(line)
    }
  }
}

function parse (line: string): string[] {
  const [status, ...fields] = line.trim().split(/\s+/)
  if (status !== 'ok') {
    throw new Error(`the Go peer answered: ${line}`)
  }
  return fields
}
