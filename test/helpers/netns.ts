/**
 * Network namespaces for tests that run nodes as separate processes on
 * separate network stacks, and cut the network between them.
 *
 * The layout (all made and removed by the test, through `ip`):
 *
 *   - a "switch" namespace holding two bridges, side-a and side-b. Every
 *     node's data link (the one libp2p listens on) starts on side-a; cutting
 *     nodes off moves their links to side-b, so the two groups can no longer
 *     reach each other while each group still reaches its own members.
 *   - one namespace per node, with its data link on a /24 of its own
 *     (10.231.D.i) and a point-to-point management link to the root
 *     namespace (a /30 on 10.231.M.0/24), where the node serves its HTTP
 *     API. The test process, in the root namespace, reaches every API
 *     through those links whatever the state of the data network, and no
 *     node can reach another through them (no routes, no bridge).
 *
 * Names are fixed, so that a run that crashed leaves nothing the next run
 * does not remove first; a lock file keeps two runs on one machine from
 * pulling the network from under each other.
 */
import { execFile } from 'node:child_process'
import { open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** ms one `ip` command may take. */
const IP_TIMEOUT = 15_000
/** ms to wait for another run's lock before giving up. */
const LOCK_WAIT = 180_000

export interface IpResult { stdout: string, stderr: string }

/** Runs `ip <args>` (bounded in time); rejects with its stderr when it fails. */
export async function ip (args: string[]): Promise<IpResult> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: IP_TIMEOUT }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new Error(`ip ${args.join(' ')} failed: ${stderr.trim() !== '' ? stderr.trim() : err.message}`))
      } else {
        resolve({ stdout, stderr })
      }
    })
  })
}

/** `ip <args>`, where failing is fine (removing what may not exist). */
async function ipQuietly (args: string[]): Promise<void> {
  await ip(args).catch(() => {})
}

/**
 * Why namespaces cannot be used here, or undefined when they can: not
 * root, no `ip`, or the kernel (a container without CAP_SYS_ADMIN, no bridge
 * or veth support) refuses what the tests need. Tried for real, in a
 * namespace of its own that is removed again.
 */
export async function netnsUnavailable (): Promise<string | undefined> {
  if (process.platform !== 'linux') {
    return `network namespaces are Linux only (this is ${process.platform})`
  }
  if (process.getuid?.() !== 0) {
    return 'network namespaces need root (run the tests as root, as CI does)'
  }
  try {
    await ip(['-V'])
  } catch (err) {
    return `the ip command (iproute2) is missing: ${(err as Error).message}`
  }
  const probe = `pdht-probe-${process.pid}`
  try {
    await ip(['netns', 'add', probe])
    await ip(['-n', probe, 'link', 'add', 'probe-br', 'type', 'bridge'])
    await ip(['-n', probe, 'link', 'add', 'probe-a', 'type', 'veth', 'peer', 'name', 'probe-b'])
    return undefined
  } catch (err) {
    return `cannot make namespaces, bridges and veth pairs here: ${(err as Error).message}`
  } finally {
    await ipQuietly(['netns', 'del', probe])
  }
}

/** A held lock file; `release()` removes it. */
export interface Lock { release(): Promise<void> }

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the lock file `name` (in the temp directory), holding this
 * process's pid. A lock whose process is gone (a crashed run) is taken over;
 * one held by a live process is waited for, for a bounded time.
 */
export async function takeLock (name: string): Promise<Lock> {
  const path = join(tmpdir(), `${name}.lock`)
  const deadline = Date.now() + LOCK_WAIT
  for (;;) {
    try {
      const file = await open(path, 'wx')
      await file.writeFile(String(process.pid))
      await file.close()
      return { release: async () => { await rm(path, { force: true }) } }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim())
    if (!Number.isInteger(holder) || holder <= 0 || !alive(holder)) {
      await rm(path, { force: true })
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(`${path} is held by process ${holder} (another run of these tests?) for more than ${LOCK_WAIT} ms`)
    }
    await sleep(500)
  }
}

interface Ipv4Net { base: number, bits: number }

function parseIpv4 (text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

function overlaps (a: Ipv4Net, b: Ipv4Net): boolean {
  const bits = Math.min(a.bits, b.bits)
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0)
}

/** The IPv4 networks the root namespace has addresses on or routes to (the default route aside). */
async function networksInUse (): Promise<Ipv4Net[]> {
  const used: Ipv4Net[] = []
  const addresses = JSON.parse((await ip(['-j', '-4', 'addr', 'show'])).stdout) as Array<{ addr_info?: Array<{ local: string, prefixlen: number }> }>
  for (const link of addresses) {
    for (const a of link.addr_info ?? []) used.push({ base: parseIpv4(a.local), bits: a.prefixlen })
  }
  const routes = JSON.parse((await ip(['-j', '-4', 'route', 'show', 'table', 'all'])).stdout) as Array<{ dst: string, type?: string }>
  for (const route of routes) {
    if (route.dst === 'default' || route.type === 'broadcast') continue
    const [base, bits] = route.dst.split('/')
    if (/^\d+\.\d+\.\d+\.\d+$/.test(base)) used.push({ base: parseIpv4(base), bits: bits === undefined ? 32 : Number(bits) })
  }
  return used
}

/** The third octets of `count` /24s of 10.231.0.0/16 that nothing in the root namespace uses. */
async function freeSubnets (count: number): Promise<number[]> {
  const used = await networksInUse()
  const free: number[] = []
  for (let octet = 10; octet < 250 && free.length < count; octet++) {
    const net = { base: parseIpv4(`10.231.${octet}.0`), bits: 24 }
    if (!used.some(u => overlaps(u, net))) free.push(octet)
  }
  if (free.length < count) {
    throw new Error('no free /24 left in 10.231.0.0/16 on this machine')
  }
  return free
}

export interface NamespacedNode {
  /** the namespace's name */
  readonly namespace: string
  /** the address of its data link, where libp2p listens */
  readonly dataAddress: string
  /** the address of its management link, where it serves its HTTP API (reachable from the root namespace) */
  readonly apiAddress: string
  /** the command that runs a program in the namespace: `[...wrap, program, ...args]` */
  readonly wrap: string[]
}

export interface SplitNetwork {
  readonly nodes: NamespacedNode[]
  /** Moves the data links of these nodes (by index) to side-b: they reach each other, and none of the others. */
  cutOff(indexes: number[]): Promise<void>
  /** Puts every data link back on side-a. */
  heal(): Promise<void>
  /** Kills whatever still runs in the namespaces and removes them and the links; never rejects. */
  remove(): Promise<void>
}

/** The names a network of `count` nodes with this prefix uses. */
function names (prefix: string, count: number): { switchNs: string, nodeNs: string[], rootLinks: string[] } {
  return {
    switchNs: `${prefix}-sw`,
    nodeNs: Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`),
    // interface names are at most 15 characters
    rootLinks: Array.from({ length: count }, (_, i) => `${prefix.slice(0, 10)}-m${i + 1}`)
  }
}

/**
 * Removes namespaces and links of these names, killing the processes left
 * in the namespaces first (a run that crashed leaves its daemons running).
 */
async function removeNamed (prefix: string, count: number): Promise<void> {
  const { switchNs, nodeNs, rootLinks } = names(prefix, count)
  const existing = (await ip(['netns', 'list']).catch(() => ({ stdout: '' }))).stdout
    .split('\n').map(line => line.split(' ')[0])
  for (const ns of [...nodeNs, switchNs]) {
    if (!existing.includes(ns)) continue
    const pids = (await ip(['netns', 'pids', ns]).catch(() => ({ stdout: '' }))).stdout.split(/\s+/).filter(p => p !== '').map(Number)
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
    await ipQuietly(['netns', 'del', ns])
  }
  // a veth pair goes with its namespace end once the namespace is gone; one
  // whose namespace still has dying processes in it goes here
  for (const link of rootLinks) {
    await ipQuietly(['link', 'del', link])
  }
}

/**
 * Makes `count` node namespaces on one bridged data network (see the top of
 * this file), after removing whatever an earlier run left under the same
 * names. Removes what it made when a step fails.
 */
export async function createSplitNetwork (prefix: string, count: number): Promise<SplitNetwork> {
  if (count > 60) throw new Error('at most 60 nodes: one /30 of a /24 each')
  await removeNamed(prefix, count)
  const [dataNet, apiNet] = await freeSubnets(2)
  const { switchNs, nodeNs, rootLinks } = names(prefix, count)
  const nodes: NamespacedNode[] = []
  const remove = async (): Promise<void> => { await removeNamed(prefix, count) }
  try {
    await ip(['netns', 'add', switchNs])
    for (const bridge of ['side-a', 'side-b']) {
      await ip(['-n', switchNs, 'link', 'add', bridge, 'type', 'bridge'])
      await ip(['-n', switchNs, 'link', 'set', bridge, 'up'])
    }
    for (let i = 1; i <= count; i++) {
      const ns = nodeNs[i - 1]
      const dataAddress = `10.231.${dataNet}.${i}`
      // root side 4i+1, node side 4i+2 of the i-th /30
      const rootAddress = `10.231.${apiNet}.${4 * i + 1}`
      const apiAddress = `10.231.${apiNet}.${4 * i + 2}`
      await ip(['netns', 'add', ns])
      await ip(['-n', ns, 'link', 'set', 'lo', 'up'])
      await ip(['-n', ns, 'link', 'add', 'data0', 'type', 'veth', 'peer', 'name', `port${i}`, 'netns', switchNs])
      await ip(['-n', switchNs, 'link', 'set', `port${i}`, 'master', 'side-a'])
      await ip(['-n', switchNs, 'link', 'set', `port${i}`, 'up'])
      await ip(['-n', ns, 'addr', 'add', `${dataAddress}/24`, 'dev', 'data0'])
      await ip(['-n', ns, 'link', 'set', 'data0', 'up'])
      await ip(['link', 'add', rootLinks[i - 1], 'type', 'veth', 'peer', 'name', 'api0', 'netns', ns])
      await ip(['addr', 'add', `${rootAddress}/30`, 'dev', rootLinks[i - 1]])
      await ip(['link', 'set', rootLinks[i - 1], 'up'])
      await ip(['-n', ns, 'addr', 'add', `${apiAddress}/30`, 'dev', 'api0'])
      await ip(['-n', ns, 'link', 'set', 'api0', 'up'])
      nodes.push({ namespace: ns, dataAddress, apiAddress, wrap: ['ip', 'netns', 'exec', ns] })
    }
  } catch (err) {
    await remove()
    throw err
  }
  const moveTo = async (bridge: string, indexes: number[]): Promise<void> => {
    for (const i of indexes) {
      await ip(['-n', switchNs, 'link', 'set', `port${i + 1}`, 'master', bridge])
    }
  }
  return {
    nodes,
    cutOff: async indexes => { await moveTo('side-b', indexes) },
    heal: async () => { await moveTo('side-a', nodes.map((_, i) => i)) },
    remove
  }
}
