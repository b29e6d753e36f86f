/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by where the time
 * went: self time per category (crypto, protobuf, yamux, noise, our code,
 * GC, timers, AbortSignals, peer store, logging, …), self time per file or
 * package, and inclusive time per function (a function counts once per
 * sample however deep it recurses).
 *
 *   N=20 OPS=1000 SYSTEMS=product-dht MARKS=/tmp/marks.txt \
 *     node --cpu-prof --cpu-prof-dir=/tmp/prof --import ./bench/profile-marks.mjs --import tsx bench/w1.ts
 *   node --import tsx bench/cpu-profile.ts PROFILE [MARKS FROM TO] [OPS]
 *   e.g. … /tmp/prof/CPU.*.cpuprofile /tmp/marks.txt "sequential gets" "puts with 32" 1000
 *
 * MARKS is a file of `<µs monotonic>\t<stderr line>` lines (what
 * bench/profile-marks.mjs writes while the bench runs); FROM and TO are
 * substrings of two of its lines and narrow the summary to the samples
 * between them (one phase of W1). With OPS, every figure is also given per
 * operation (ms of CPU per put or get). TOP=n lists n functions (default
 * 60); FOCUS=text adds the callers and callees of the frames whose label
 * contains it (async callers show as runMicrotasks).
 */
import { readFileSync } from 'node:fs'

interface CallFrame { functionName: string, url: string, lineNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface Profile { nodes: ProfileNode[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

const [profilePath, marksPath, fromText, toText, opsText] = process.argv.slice(2)
if (profilePath === undefined) {
  throw new Error('usage: cpu-profile.ts PROFILE [MARKS FROM TO] [OPS]')
}
const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as Profile
const ops = Number(opsText ?? (marksPath !== undefined && fromText === undefined ? marksPath : 0)) || 0

// the window of samples to count (µs, the profile's clock)
let from = -Infinity
let to = Infinity
if (marksPath !== undefined && fromText !== undefined && toText !== undefined) {
  const marks = readFileSync(marksPath, 'utf8').split('\n').filter(Boolean).map(line => {
    const tab = line.indexOf('\t')
    return { at: Number(line.slice(0, tab)), text: line.slice(tab + 1) }
  })
  const find = (text: string): number => {
    const mark = marks.find(m => m.text.includes(text))
    if (mark === undefined) throw new Error(`no mark line contains "${text}"`)
    return mark.at
  }
  from = find(fromText)
  to = find(toText)
}

const byId = new Map(profile.nodes.map(n => [n.id, n]))
const parent = new Map<number, number>()
for (const node of profile.nodes) {
  for (const child of node.children ?? []) parent.set(child, node.id)
}

/** The package (or our own file) a script URL belongs to. */
function owner (url: string): string {
  if (url === '') return '(native)'
  if (url.startsWith('node:')) return url
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  const src = url.search(/\/(src|bench|test)\//)
  return src >= 0 ? url.slice(src + 1) : url
}

/** The category of a frame's self time. */
function category (frame: CallFrame): string {
  const { functionName: fn, url } = frame
  const pkg = owner(url)
  if (fn === '(garbage collector)') return 'GC'
  if (fn === '(idle)') return 'idle'
  if (fn === '(program)') return 'V8/native (program)'
  if (url.includes('internal/crypto') || pkg === '@noble/hashes' || pkg === '@noble/curves' || pkg === '@noble/ciphers' || pkg === '@chainsafe/as-chacha20poly1305' || pkg === '@chainsafe/as-sha256') return 'crypto'
  if (pkg === 'protons-runtime' || pkg === 'uint8-varint' || url.endsWith('src/model/messages.ts')) return 'protobuf'
  if (pkg === '@libp2p/yamux') return 'yamux'
  if (pkg === '@libp2p/noise') return 'noise'
  if (pkg === '@libp2p/logger' || pkg === 'debug' || pkg === 'weald' || url.includes('internal/util/inspect')) return 'logging'
  if (pkg === '@libp2p/peer-store' || pkg === 'datastore-core' || pkg === 'interface-datastore' || pkg === 'mortice') return 'peer store / datastore'
  if (url.includes('internal/abort_controller') || url.includes('internal/event_target') || pkg === 'abort-error' || pkg === 'race-signal' || pkg === 'p-event') return 'AbortSignals / events'
  if (url.includes('internal/timers') || fn === 'setTimeout' || fn === 'clearTimeout') return 'timers'
  if (url.includes('internal/net') || url.includes('internal/stream_base') || url === 'node:net' || url.includes('internal/streams') || pkg === '@libp2p/tcp') return 'sockets (tcp, net)'
  if (pkg === '@libp2p/kad-dht') return 'kad-dht'
  if (pkg === '@libp2p/identify' || pkg === '@libp2p/ping') return 'identify / ping'
  if (pkg === 'libp2p' || pkg === '@libp2p/utils' || pkg === '@libp2p/interface' || pkg === '@libp2p/peer-id' || pkg === '@libp2p/multistream-select' || pkg === 'it-queue') return 'libp2p (other)'
  if (pkg === 'uint8arraylist' || pkg === 'uint8arrays' || pkg === 'multiformats' || pkg.startsWith('@multiformats/')) return 'bytes / multiformats'
  if (pkg.startsWith('src/')) return 'product-dht (src/)'
  if (url.startsWith('node:')) return 'node (other)'
  if (pkg === 'tsx' || url.includes('/tsx/')) return 'tsx loader'
  return `other: ${pkg}`
}

const label = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'} ${owner(frame.url)}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`

const self = new Map<string, number>()
const selfByOwner = new Map<string, number>()
const inclusive = new Map<string, number>()
const inclusiveByOwner = new Map<string, number>()
const add = (map: Map<string, number>, key: string, us: number): void => { map.set(key, (map.get(key) ?? 0) + us) }

let at = profile.startTime
let total = 0
let busy = 0
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i]
  if (at < from || at > to) continue
  // a sample stands for the time until the next one
  const us = profile.timeDeltas[i + 1] ?? 0
  const leaf = byId.get(profile.samples[i])!
  total += us
  const cat = category(leaf.callFrame)
  add(self, cat, us)
  if (cat === 'idle') continue
  busy += us
  add(selfByOwner, owner(leaf.callFrame.url) + (leaf.callFrame.url === '' ? ` ${leaf.callFrame.functionName}` : ''), us)
  const seen = new Set<string>()
  const seenOwner = new Set<string>()
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame
    const name = label(frame)
    if (!seen.has(name)) { seen.add(name); add(inclusive, name, us) }
    const o = owner(frame.url)
    if (!seenOwner.has(o)) { seenOwner.add(o); add(inclusiveByOwner, o, us) }
  }
}

const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7)
const share = (us: number): string => `${(100 * us / busy).toFixed(1).padStart(5)} %`
const perOp = (us: number): string => ops > 0 ? `${(us / 1000 / ops).toFixed(3).padStart(7)} ms/op` : ''
function table (title: string, map: Map<string, number>, limit: number): void {
  console.log(`\n${title}`)
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${ms(us)} ms ${share(us)} ${perOp(us)}  ${key}`)
  }
}

console.log(`window ${((to === Infinity ? at : to) - (from === -Infinity ? profile.startTime : from)) / 1e6} s; sampled ${(total / 1e6).toFixed(2)} s, busy (not idle) ${(busy / 1e6).toFixed(2)} s${ops > 0 ? `, ${(busy / 1000 / ops).toFixed(3)} ms of CPU per operation over ${ops}` : ''}`)
table('self time by category (shares of busy time)', self, 30)
table('self time by file or package', selfByOwner, 30)
table('inclusive time by file or package', inclusiveByOwner, 30)
table('inclusive time by function', inclusive, Number(process.env.TOP ?? 60))

// FOCUS=<text>: for samples under a frame whose label contains it, who called it and what it called
const focus = process.env.FOCUS
if (focus !== undefined) {
  const callers = new Map<string, number>()
  const callees = new Map<string, number>()
  let under = 0
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]
    if (t < from || t > to) continue
    const us = profile.timeDeltas[i + 1] ?? 0
    const stack: CallFrame[] = []
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame)
    // outermost occurrence of the focus
    let at = -1
    for (let j = stack.length - 1; j >= 0; j--) { if (label(stack[j]).includes(focus)) { at = j; break } }
    if (at < 0 || category(stack[0]) === 'idle') continue
    under += us
    add(callers, at + 1 < stack.length ? label(stack[at + 1]) : '(none)', us)
    add(callees, at > 0 ? label(stack[at - 1]) : '(self)', us)
  }
  console.log(`\nunder "${focus}": ${(under / 1000).toFixed(0)} ms`)
  table(`callers of "${focus}"`, callers, 20)
  table(`callees of "${focus}"`, callees, 30)
}
