/**
 * The dashboard page: one HTML document with its style and script, served
 * as it is (no build step). The script polls the API every two seconds and
 * writes every value with textContent, never as HTML: product data comes
 * from other publishers.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>product-dht</title>
<link rel="icon" href="data:,">
<style>
  :root { --ink: #1d2433; --muted: #667085; --line: #d0d5dd; --accent: #2e6be6; --good: #1f9d55; --bad: #c0392b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "DejaVu Sans", sans-serif; color: var(--ink); background: #f5f7fa; }
  header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: var(--ink); color: #fff; }
  header h1 { margin: 0; font-size: 18px; }
  header .sub { color: #c8cfdb; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
  main { display: grid; grid-template-columns: minmax(360px, 1fr) minmax(420px, 1.2fr); gap: 16px; padding: 16px 24px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
  h2 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
  .stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
  .stat b { display: block; font-size: 22px; }
  .stat span { color: var(--muted); font-size: 12px; }
  table { width: 100%; border-collapse: collapse; }
  td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
  th { color: var(--muted); font-weight: 600; font-size: 12px; }
  .tag { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 11px; background: #e8f0fe; color: var(--accent); }
  .tag.other { background: #f2f4f7; color: var(--muted); }
  form { display: flex; gap: 8px; }
  input { flex: 1; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
  button { padding: 6px 14px; border: 0; border-radius: 6px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
  pre { margin: 8px 0 0; padding: 8px; background: #f5f7fa; border-radius: 6px; white-space: pre-wrap; min-height: 2em; }
  .error { color: var(--bad); }
  .rates { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
  svg text { font: 10px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--muted); }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body>
<header><h1>product-dht</h1><span class="sub" id="self-id">…</span><span class="sub" id="updated"></span></header>
<main>
  <section>
    <h2>This node</h2>
    <div class="stats">
      <div class="stat"><b id="records-held">–</b><span>records held</span></div>
      <div class="stat"><b id="record-peers">–</b><span>record peers</span></div>
      <div class="stat"><b id="connected-peers">–</b><span>connected</span></div>
      <div class="stat"><b id="uptime">–</b><span>uptime</span></div>
    </div>
    <h2 style="margin-top:12px">Join through</h2>
    <div class="mono" id="multiaddrs"></div>
  </section>
  <section>
    <h2>Operations per second</h2>
    <div class="rates">
      <div class="stat"><b id="rate-put">0</b><span>puts</span></div>
      <div class="stat"><b id="rate-get">0</b><span>gets</span></div>
      <div class="stat"><b id="rate-delete">0</b><span>deletes</span></div>
      <div class="stat"><b id="rate-failed">0</b><span>failed</span></div>
    </div>
    <h2 style="margin-top:12px">Find a product</h2>
    <form id="search"><input id="search-id" placeholder="product id, e.g. SKU-0042" autocomplete="off"><button type="submit">Get</button></form>
    <pre class="mono" id="search-result"></pre>
  </section>
  <section>
    <h2>Peers</h2>
    <table><thead><tr><th>peer</th><th>kind</th><th>address</th></tr></thead><tbody id="peers"></tbody></table>
  </section>
  <section>
    <h2>Keyspace: peers and where recent products' replicas live</h2>
    <svg id="ring" viewBox="-250 -215 500 430" width="100%" style="max-height:420px"></svg>
  </section>
</main>
<script>
const $ = id => document.getElementById(id)
const short = id => id.length > 16 ? id.slice(0, 8) + '…' + id.slice(-6) : id
const SVG = 'http://www.w3.org/2000/svg'
let previous

function text (el, value) { el.textContent = String(value) }
function node (tag, attrs, content) {
  const el = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  if (content !== undefined) el.textContent = content
  return el
}
function at (position, radius) {
  const angle = position * 2 * Math.PI - Math.PI / 2
  return [Math.cos(angle) * radius, Math.sin(angle) * radius]
}
async function json (path) {
  const response = await fetch(path)
  if (!response.ok) throw new Error(path + ': ' + response.status)
  return response.json()
}

function showStatus (status) {
  text($('self-id'), status.peerId)
  text($('records-held'), status.recordsHeld)
  text($('record-peers'), status.recordPeers)
  text($('connected-peers'), status.connectedPeers)
  text($('uptime'), status.uptime + ' s')
  $('multiaddrs').replaceChildren(...status.multiaddrs.map(a => { const d = document.createElement('div'); d.textContent = a; return d }))
}

function showPeers (peers) {
  $('peers').replaceChildren(...peers.map(peer => {
    const row = document.createElement('tr')
    row.dataset.peer = peer.peerId
    const id = document.createElement('td'); id.className = 'mono'; id.textContent = peer.peerId
    const kind = document.createElement('td'); const tag = document.createElement('span')
    tag.className = peer.recordPeer ? 'tag' : 'tag other'; tag.textContent = peer.recordPeer ? 'record peer' : 'other'; kind.append(tag)
    const address = document.createElement('td'); address.className = 'mono'; address.textContent = peer.addresses.join(' ')
    row.append(id, kind, address)
    return row
  }))
}

function showRates (activity) {
  const now = Date.now()
  if (previous !== undefined) {
    const seconds = Math.max(0.001, (now - previous.at) / 1000)
    for (const kind of ['put', 'get', 'delete', 'failed']) {
      text($('rate-' + kind), ((activity.operations[kind] - previous.operations[kind]) / seconds).toFixed(1))
    }
  }
  previous = { at: now, operations: activity.operations }
}

function showRing (space) {
  const ring = $('ring')
  const peerAt = new Map(space.peers.map(p => [p.peerId, p]))
  const items = [node('circle', { cx: 0, cy: 0, r: 170, fill: 'none', stroke: '#d0d5dd', 'stroke-width': 2 })]
  for (const product of space.products) {
    const [px, py] = at(product.position, 120)
    for (const replica of product.replicas) {
      const peer = peerAt.get(replica)
      if (peer === undefined) continue
      const [rx, ry] = at(peer.position, 170)
      items.push(node('line', { x1: px, y1: py, x2: rx, y2: ry, stroke: '#2e6be6', 'stroke-opacity': 0.25 }))
    }
  }
  for (const product of space.products) {
    const [x, y] = at(product.position, 120)
    const mark = node('rect', { x: x - 3, y: y - 3, width: 6, height: 6, fill: '#f59f00', 'data-product': product.id })
    mark.append(node('title', {}, product.id + ' → ' + product.replicas.map(short).join(', ')))
    items.push(mark)
  }
  for (const peer of space.peers) {
    const [x, y] = at(peer.position, 170)
    const dot = node('circle', { cx: x, cy: y, r: peer.self ? 8 : 6, fill: peer.self ? '#1f9d55' : '#2e6be6', 'data-peer': peer.peerId })
    dot.append(node('title', {}, peer.peerId))
    items.push(dot)
    const [lx, ly] = at(peer.position, 192)
    items.push(node('text', { x: lx, y: ly, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, short(peer.peerId)))
  }
  ring.replaceChildren(...items)
}

async function refresh () {
  try {
    const [status, peers, activity] = await Promise.all([json('/v1/status'), json('/v1/peers'), json('/v1/activity')])
    showStatus(status)
    showPeers(peers.peers)
    showRates(activity)
    showRing(await json('/v1/keyspace'))
    text($('updated'), 'updated ' + new Date().toLocaleTimeString())
  } catch (err) {
    text($('updated'), 'cannot reach the daemon: ' + err.message)
  }
}

$('search').addEventListener('submit', async event => {
  event.preventDefault()
  const id = $('search-id').value.trim()
  const out = $('search-result')
  out.className = 'mono'
  if (id === '') return
  text(out, 'reading ' + id + '…')
  try {
    const response = await fetch('/v1/products/' + encodeURIComponent(id))
    const body = await response.json()
    if (!response.ok) {
      out.className = 'mono error'
      text(out, body.name + ': ' + body.message)
      return
    }
    text(out, 'version ' + JSON.parse(response.headers.get('etag')) + ', published by ' + response.headers.get('x-product-publisher') + '\\n' + JSON.stringify(body, null, 2))
  } catch (err) {
    out.className = 'mono error'
    text(out, String(err))
  }
})

refresh()
setInterval(refresh, 2000)
</script>
</body>
</html>
`
