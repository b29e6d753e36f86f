/**
 * `product-dht daemon`: runs a node and its HTTP API until SIGINT or SIGTERM.
 */
import { readFile } from 'node:fs/promises'
import { Option } from 'commander'
import { HTTP_DEFAULTS } from '../../http/options.js'
import { CONFIG_KEYS, DEFAULT_DATA_DIR, mergeConfig, readConfigFile } from '../config.js'
import { CliError, inFlagTerms, UsageError } from '../errors.js'
import { EXIT } from '../exit-codes.js'
import { wholeNumber } from '../options.js'
import { createOutput } from '../output.js'
import type { Daemon } from '../../daemon/daemon.js'
import type { DaemonConfig } from '../config.js'
import type { Command } from 'commander'

/** Errors of starting that are the configuration's fault, by name. */
const USAGE_ERRORS = new Set(['InvalidParametersError', 'UnsupportedKeyTypeError'])

export function daemonCommand (program: Command): void {
  program.command('daemon')
    .description('run a product node and its HTTP API until SIGINT or SIGTERM (flags win over PRODUCT_DHT_* variables, which win over --config)')
    .addOption(new Option('-c, --config <file>', 'a JSON file of settings, named as the flags in camelCase (dataDir, listen, httpPort, …)').env('PRODUCT_DHT_CONFIG'))
    .addOption(new Option('--data-dir <dir>', "records and the node's identity").env('PRODUCT_DHT_DATA_DIR').default(DEFAULT_DATA_DIR))
    .addOption(new Option('--listen <multiaddr...>', 'libp2p addresses to listen on (default /ip4/127.0.0.1/tcp/0)').env('PRODUCT_DHT_LISTEN'))
    .addOption(new Option('--announce <multiaddr...>', 'addresses to announce instead of the listen addresses').env('PRODUCT_DHT_ANNOUNCE'))
    .addOption(new Option('--bootstrap <multiaddr...>', 'peers to join through, with /p2p/<peer id>').env('PRODUCT_DHT_BOOTSTRAP'))
    .addOption(new Option('--start-alone', 'start even when no bootstrap peer answers, and keep trying them').env('PRODUCT_DHT_START_ALONE').default(false))
    .addOption(new Option('--catalog <name>', "the catalog's name (default 'default')").env('PRODUCT_DHT_CATALOG'))
    .addOption(new Option('--replication-factor <r>', 'replicas per product (default 3)').env('PRODUCT_DHT_REPLICATION_FACTOR').argParser(wholeNumber(1, 64)))
    .addOption(new Option('--write-quorum <w>', 'acknowledgements a write needs (default 2)').env('PRODUCT_DHT_WRITE_QUORUM').argParser(wholeNumber(1, 64)))
    .addOption(new Option('--read-quorum <r>', 'answers a read needs (default 2)').env('PRODUCT_DHT_READ_QUORUM').argParser(wholeNumber(1, 64)))
    .addOption(new Option('--read-fanout <which>', "replicas a read asks at first: R ('quorum', the next only when one is slow or they disagree) or all r (default quorum)").choices(['quorum', 'all']).env('PRODUCT_DHT_READ_FANOUT'))
    .addOption(new Option('--read-hedge-delay <ms>', 'ms a read waits for its first R replicas before it asks one more (default: the 99th percentile of recent round trips)').env('PRODUCT_DHT_READ_HEDGE_DELAY').argParser(wholeNumber(1)))
    .addOption(new Option('--maintenance-interval <ms>', 'ms between replica-maintenance sweeps, each jittered by ±20 % (default 600000)').env('PRODUCT_DHT_MAINTENANCE_INTERVAL').argParser(wholeNumber(1)))
    .addOption(new Option('--maintenance-delay <ms>', 'ms after a record peer joins or departs before maintenance acts on it, plus up to as much again of jitter (default 1000)').env('PRODUCT_DHT_MAINTENANCE_DELAY').argParser(wholeNumber(1)))
    .addOption(new Option('--tombstone-grace-period <ms>', 'ms a delete (tombstone) is kept before it is purged; a node away longer holds its records back until the network confirms them (default 604800000, 7 days)').env('PRODUCT_DHT_TOMBSTONE_GRACE_PERIOD').argParser(wholeNumber(1)))
    .addOption(new Option('--maintenance-rate <records>', 'records maintenance moves per second at most, pushes and pulls together (default 200)').env('PRODUCT_DHT_MAINTENANCE_RATE').argParser(wholeNumber(1)))
    .addOption(new Option('--client-mode', 'read and write, but hold no replicas').env('PRODUCT_DHT_CLIENT_MODE').default(false))
    .addOption(new Option('--publisher-key <file>', 'the key this node publishes with (product-dht keygen makes one; default the node key)').env('PRODUCT_DHT_PUBLISHER_KEY'))
    .addOption(new Option('--publishers <peer-id...>', 'a closed catalog: the only publishers stored and read').env('PRODUCT_DHT_PUBLISHERS'))
    .addOption(new Option('--dht-protocol <id>', 'the Kademlia protocol id (default /product-dht/kad/1.0.0)').env('PRODUCT_DHT_DHT_PROTOCOL'))
    .addOption(new Option('--address-filter <which>', 'peer addresses the DHT keeps').choices(['all', 'public', 'private']).env('PRODUCT_DHT_ADDRESS_FILTER'))
    .addOption(new Option('--http-host <host>', 'where the HTTP API listens; beyond loopback it needs --api-token').env('PRODUCT_DHT_HTTP_HOST').default(HTTP_DEFAULTS.host))
    .addOption(new Option('--http-port <port>', 'the HTTP API port (0: any free one)').env('PRODUCT_DHT_HTTP_PORT').argParser(wholeNumber(0, 65535)).default(HTTP_DEFAULTS.port))
    .addOption(new Option('--api-token <token>', 'bearer token writes must carry (at least 16 characters)').env('PRODUCT_DHT_API_TOKEN'))
    .addOption(new Option('--api-token-file <file>', 'a file holding the token').env('PRODUCT_DHT_API_TOKEN_FILE'))
    .option('--json', 'print the ready line as JSON', false)
    .action(async (_flags: Record<string, unknown>, command: Command) => {
      const flags = command.opts<{ config?: string, json: boolean }>()
      const given: Record<string, { value: unknown, source?: string }> = {}
      for (const key of Object.keys(CONFIG_KEYS)) {
        given[key] = { value: command.getOptionValue(key), source: command.getOptionValueSource(key) }
      }
      const config = mergeConfig(given, flags.config === undefined ? {} : await readConfigFile(flags.config))
      await runDaemon(config, flags.json)
    })
}

/** The token from --api-token or the file --api-token-file names. */
async function apiToken (config: DaemonConfig): Promise<string | undefined> {
  if (config.apiToken !== undefined && config.apiTokenFile !== undefined) {
    throw new UsageError('Give --api-token or --api-token-file, not both')
  }
  if (config.apiTokenFile === undefined) {
    return config.apiToken
  }
  try {
    return (await readFile(config.apiTokenFile, 'utf8')).trim()
  } catch (err) {
    throw new UsageError(`Cannot read the token file ${config.apiTokenFile}: ${(err as Error).message}`)
  }
}

async function runDaemon (config: DaemonConfig, json: boolean): Promise<void> {
  // the node's modules load only for this command: the client commands start faster without them
  const { startDaemon } = await import('../../daemon/daemon.js')
  const { loadOrCreatePublisherKey } = await import('../../store/publisher-key.js')
  const output = createOutput(json)
  const token = await apiToken(config)
  const publisherKey = config.publisherKey === undefined ? undefined : await loadOrCreatePublisherKey(config.publisherKey)
  // a signal while starting aborts the start; after it, stops the daemon
  const starting = new AbortController()
  let daemon: Daemon | undefined
  let stopped: () => void = () => {}
  const done = new Promise<void>(resolve => { stopped = resolve })
  let signals = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++
    if (signals > 1) {
      output.info(`${signal} again: exiting without a clean stop`)
      process.exit(130)
    }
    output.info(`${signal}: stopping`)
    starting.abort(new Error(`${signal} while starting`))
    if (daemon !== undefined) {
      daemon.stop().then(stopped, err => {
        output.info(`the stop failed: ${(err as Error).message}`)
        process.exitCode = EXIT.INTERNAL
        stopped()
      })
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    daemon = await startDaemon({
      node: {
        dataDir: config.dataDir,
        listen: config.listen,
        announce: config.announce,
        bootstrap: config.bootstrap,
        startAlone: config.startAlone,
        catalog: config.catalog,
        replicationFactor: config.replicationFactor,
        writeQuorum: config.writeQuorum,
        readQuorum: config.readQuorum,
        readFanout: config.readFanout,
        readHedgeDelay: config.readHedgeDelay,
        maintenanceInterval: config.maintenanceInterval,
        maintenanceDelay: config.maintenanceDelay,
        maintenanceRate: config.maintenanceRate,
        tombstoneGracePeriod: config.tombstoneGracePeriod,
        clientMode: config.clientMode,
        publisherKey,
        publishers: config.publishers,
        dhtProtocol: config.dhtProtocol,
        addressFilter: config.addressFilter
      },
      http: { host: config.httpHost, port: config.httpPort, token }
    }, { signal: starting.signal })
  } catch (err) {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (starting.signal.aborted) {
      return
    }
    const name = (err as Error).name
    const code = (err as NodeJS.ErrnoException).code
    throw new CliError(`The daemon could not start: ${inFlagTerms((err as Error).message)}${code === 'EADDRINUSE' ? ' (is another daemon on that port? --http-port picks another)' : ''}`,
      USAGE_ERRORS.has(name) ? EXIT.USAGE : EXIT.START_FAILED)
  }
  const status = {
    event: 'ready',
    peerId: daemon.node.peerId.toString(),
    multiaddrs: daemon.node.getMultiaddrs().map(String),
    api: daemon.api.url,
    dataDir: config.dataDir,
    writesNeedToken: token !== undefined
  }
  output.result(status, () => [
    `product-dht daemon running (Ctrl-C stops it)`,
    `  peer id   ${status.peerId}`,
    ...status.multiaddrs.map(a => `  join via  ${a}`),
    `  HTTP API  ${status.api}${token === undefined ? '' : ' (writes need the token)'}`,
    `  metrics   ${status.api}/metrics`,
    `  data dir  ${status.dataDir}`
  ].join('\n'))
  if (signals > 0) {
    await daemon.stop()
  } else {
    await done
  }
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  output.result({ event: 'stopped' }, () => 'stopped')
  // everything was stopped: whatever still holds the event loop is a leak
  // somewhere below; name it, and end the process all the same
  setTimeout(() => {
    process.stderr.write(`product-dht: still running 2 s after a clean stop, held by ${process.getActiveResourcesInfo().join(', ')}; exiting\n`)
    process.exit()
  }, 2000).unref()
}
