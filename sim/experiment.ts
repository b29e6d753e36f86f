/**
 * The experiment on one network: puts and gets of fresh products from
 * random nodes in three phases — after everyone joined, after churn (10 %
 * leave, 10 % join), after a routing-table refresh — and, after churn, gets
 * of the products put before it. Phases run one after the other on the same
 * network: what earlier operations taught the views stays.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { productKey } from '../src/model/keys.js'
import { validateProduct } from '../src/model/product.js'
import { createRecord } from '../src/model/record.js'
import { signRecord } from '../src/model/signature.js'
import { simulateGet, simulatePut } from './operations.js'
import { sameSet } from './stats.js'
import type { SimNetwork } from './network.js'
import type { WireRecord } from '../src/model/record.js'
import type { PrivateKey } from '@libp2p/interface'

export interface ExperimentInit {
  /** fresh products put and got per phase */
  operations: number
  /** share of peers that leave, and of new ones that join */
  churn: number
  readQuorum: number
}

/** What one phase measured, sample by sample. */
export interface PhaseSamples {
  phase: string
  meanViewSize: number
  putHops: number[]
  getHops: number[]
  putMessages: number[]
  getMessages: number[]
  /** requests to departed peers, per put and get */
  failedMessages: number[]
  /** peers that stored each put */
  copies: number[]
  /** puts stored on every one of the key's true replicas */
  putOnTrueSet: number
  /** writer and reader computed the same replica set before sending anything */
  agreeBefore: number
  /** …and after their operations */
  agreeAfter: number
  /** gets that asked at least R of the key's true replicas (a read asks R of the r first) */
  getOnTrueSet: number
  /** puts that left a replica the node ranks among its first r unasked, and gets that asked fewer than R of them */
  stoppedShort: number
  found: number
  unreached: number
  /** gets of products put before churn: how many found them */
  earlierFound?: number
  earlierCount?: number
}

export async function runExperiment (net: SimNetwork, init: ExperimentInit, progress: (message: string) => void): Promise<PhaseSamples[]> {
  const signer = await generateKeyPair('Ed25519')
  const phases: PhaseSamples[] = []
  const first = await signedProducts(`${net.init.peers}-joined`, init.operations, signer)
  phases.push(await runPhase(net, 'all joined', first, init))
  progress(`${net.init.peers} peers: all joined done`)

  const { left, joined } = net.churn(init.churn)
  progress(`${net.init.peers} peers: ${left.length} left, ${joined.length} joined`)
  const afterChurn = await runPhase(net, `${init.churn * 100} % churn`, await signedProducts(`${net.init.peers}-churn`, init.operations, signer), init)
  phases.push(await withEarlier(net, afterChurn, first, init))
  progress(`${net.init.peers} peers: churn done`)

  const learned = net.refreshRoutingTables()
  progress(`${net.init.peers} peers: routing-table refresh taught ${learned} peers`)
  const afterRefresh = await runPhase(net, 'churn, then refresh', await signedProducts(`${net.init.peers}-refresh`, init.operations, signer), init)
  phases.push(await withEarlier(net, afterRefresh, first, init))
  return phases
}

/** Records of `count` products, signed once each: the simulator does not sign per request. */
async function signedProducts (prefix: string, count: number, signer: PrivateKey): Promise<WireRecord[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const id = `SIM-${prefix}-${i}`
    const product = validateProduct({ id, name: `Simulated ${i}`, price: '1.00', currency: 'EUR' })
    return signRecord(createRecord(productKey(id), product, 1n, Date.now()), signer)
  }))
}

async function runPhase (net: SimNetwork, phase: string, records: WireRecord[], init: ExperimentInit): Promise<PhaseSamples> {
  const samples: PhaseSamples = {
    phase,
    meanViewSize: net.meanViewSize(),
    putHops: [],
    getHops: [],
    putMessages: [],
    getMessages: [],
    failedMessages: [],
    copies: [],
    putOnTrueSet: 0,
    agreeBefore: 0,
    agreeAfter: 0,
    getOnTrueSet: 0,
    stoppedShort: 0,
    found: 0,
    unreached: 0
  }
  for (const record of records) {
    const writer = net.randomPeer()
    const reader = net.randomPeer(writer)
    const truth = net.trueReplicas(record.key)
    const put = await simulatePut(net, writer, record)
    const get = await simulateGet(net, reader, record.key, record, init.readQuorum)
    samples.putHops.push(put.hops)
    samples.getHops.push(get.hops)
    samples.putMessages.push(put.traffic.sent)
    samples.getMessages.push(get.traffic.sent)
    samples.failedMessages.push(put.traffic.failed, get.traffic.failed)
    samples.copies.push(put.stored.length)
    if (truth.every(peer => put.stored.includes(peer))) samples.putOnTrueSet++
    if (sameSet(put.replicasBefore, get.replicasBefore)) samples.agreeBefore++
    if (sameSet(put.replicasAfter, get.replicasAfter)) samples.agreeAfter++
    if (truth.filter(peer => peer === reader || get.traffic.addressees.has(peer)).length >= init.readQuorum) samples.getOnTrueSet++
    // a get asks R of its first r (the others only when those are slow, fail or disagree)
    samples.stoppedShort += (put.unasked > 0 ? 1 : 0) + (get.unasked > net.init.replicationFactor - init.readQuorum ? 1 : 0)
    if (get.found) samples.found++
    if (get.unreached) samples.unreached++
  }
  return samples
}

/** Adds to `samples` how many of the products put before churn random nodes still find. */
async function withEarlier (net: SimNetwork, samples: PhaseSamples, earlier: WireRecord[], init: ExperimentInit): Promise<PhaseSamples> {
  let found = 0
  for (const record of earlier) {
    const get = await simulateGet(net, net.randomPeer(), record.key, record, init.readQuorum)
    if (get.found) found++
  }
  return { ...samples, earlierFound: found, earlierCount: earlier.length }
}
