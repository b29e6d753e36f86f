/** The simulator's figures as Markdown tables, one row per network size and phase. */
import { mean, percentile, share } from './stats.js'
import type { PhaseSamples } from './experiment.js'

export interface SizedPhase {
  peers: number
  samples: PhaseSamples
}

const fixed = (value: number, digits: number): string => Number.isNaN(value) ? '—' : value.toFixed(digits)
const spread = (values: number[]): string => `${fixed(mean(values), 2)} / ${percentile(values, 50)} / ${percentile(values, 99)}`
const percent = (count: number, total: number): string => `${fixed(share(count, total), 1)} %`

function table (header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Hops and requests per operation. */
export function lookupTable (phases: SizedPhase[]): string {
  return table(
    ['peers', 'phase', 'peers known per node, mean', 'put hops mean / p50 / p99', 'get hops mean / p50 / p99', 'requests per put', 'requests per get', 'to departed peers, per op'],
    phases.map(({ peers, samples: s }) => [
      peers.toLocaleString('en-US'), s.phase, fixed(s.meanViewSize, 0), spread(s.putHops), spread(s.getHops),
      fixed(mean(s.putMessages), 2), fixed(mean(s.getMessages), 2), fixed(mean(s.failedMessages), 2)
    ]))
}

/** Where records went and whether nodes agree on it. */
export function placementTable (phases: SizedPhase[]): string {
  return table(
    ['peers', 'phase', 'writer and reader agree, before', 'writer and reader agree, after', 'put stored on all r true replicas', 'get asked R of the r true replicas', 'ops that stopped short', 'copies per put', 'gets found', 'earlier products found'],
    phases.map(({ peers, samples: s }) => {
      const ops = s.putHops.length
      return [
        peers.toLocaleString('en-US'), s.phase, percent(s.agreeBefore, ops), percent(s.agreeAfter, ops), percent(s.putOnTrueSet, ops),
        percent(s.getOnTrueSet, ops), percent(s.stoppedShort, 2 * ops), fixed(mean(s.copies), 2), s.unreached === 0 ? percent(s.found, ops) : `${percent(s.found, ops)} (${percent(s.unreached, ops)} not reached)`,
        s.earlierCount === undefined ? '—' : percent(s.earlierFound ?? 0, s.earlierCount)
      ]
    }))
}
