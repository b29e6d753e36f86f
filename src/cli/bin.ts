#!/usr/bin/env node
/**
 * The `product-dht` executable.
 */
import '../polyfill.js'
import { main } from './main.js'

process.exitCode = await main(process.argv)
