// Benchmark: leadscore from Node vs the same logistic model hand-written in plain
// JavaScript (what a Node team would otherwise write), on the golden wa_churn model.
//
//   make bench-node        (builds the release addon, then runs this script)
//   node bench/node_score.mjs [--leads N] [--repeats R]
//
// Peers, all in this one process on the same leads:
//   js-dot   the model's dot product + sigmoid on leads already encoded as a
//            Float64Array of features (the fastest JavaScript can be; no raw fields)
//   js-raw   a hand-written encoder (standardize / 0-1 flags / one-hot lookups built
//            from the model's own constants) + dot + sigmoid, per raw lead object
// leadscore:
//   score()        one raw lead object per call (the full raw-record pipeline)
//   scoreBatch()   an array of raw lead objects
//   scoreColumns() the columnar path: Float64Array numbers + string arrays
//   scoreColumns() with dictionary-encoded categories ({ codes: Uint32Array, levels })
// Each timing is the median of R repeats; ratios are printed at the end.
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const here = path.dirname(fileURLToPath(import.meta.url))
const { Model } = require(path.join(here, '..', 'bindings-node'))

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const N = arg('--leads', 100_000)
const R = arg('--repeats', 7)

const model = Model.load(path.join(here, '..', 'tests', 'fixtures', 'models', 'wa_churn_v1.lsm'))
const spec = model.toJson()
const { inputs, steps, n_features: nf } = spec.pipeline
const coef = Float64Array.from(spec.features.map((f) => f.coef))
const intercept = spec.intercept

// ---- the hand-written JavaScript model -------------------------------------------
const sigmoid = (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)))
const plan = steps.map((s) => {
  const [kind, p] = Object.entries(s)[0]
  const name = inputs[p.input].name
  if (kind === 'OneHot') return { kind, name, offset: p.offset, index: new Map(p.levels.map((l, i) => [l, i])), other: p.levels.length }
  return { kind, name, offset: p.offset, mean: p.mean, scale: p.scale, mi: p.missing_indicator }
})
const toBool = (v) => (typeof v === 'boolean' ? v : v === 1 || v === '1' || /^(true|yes|y|t)$/i.test(String(v)))
function encode(lead, x) {
  x.fill(0)
  for (const s of plan) {
    const v = lead[s.name]
    const missing = v === undefined || v === null || v === ''
    if (s.kind === 'Standardize') {
      if (missing) { if (s.mi) x[s.offset + 1] = 1 } else x[s.offset] = (Number(v) - s.mean) / s.scale
    } else if (s.kind === 'Flag') {
      if (missing) { if (s.mi) x[s.offset + 1] = 1 } else x[s.offset] = toBool(v) ? 1 : 0
    } else if (!missing) {
      const j = s.index.get(String(v))
      x[s.offset + (j === undefined ? s.other : j)] = 1
    }
  }
  return x
}
function dot(x) {
  let z = intercept
  for (let j = 0; j < nf; j++) z += coef[j] * x[j]
  return sigmoid(z)
}
const scratch = new Float64Array(nf)
const jsRaw = (lead) => dot(encode(lead, scratch))

// ---- leads: realistic raw records drawn from the model's own levels and ranges -----
let seed = 12345
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const leads = []
for (let i = 0; i < N; i++) {
  const lead = { crm_id: `L${i}`, owner: 'someone@example.com' }
  for (const s of plan) {
    if (s.kind === 'OneHot') lead[s.name] = [...s.index.keys()][Math.floor(rand() * s.index.size)]
    else if (s.kind === 'Flag') lead[s.name] = rand() < 0.5 ? 1 : 0
    else lead[s.name] = Math.round(Math.max(0, s.mean + s.scale * (rand() * 3.4 - 1.7)) * 100) / 100
  }
  // As a service receives it: parsed from JSON (V8 gives such objects a fast shape).
  leads.push(JSON.parse(JSON.stringify(lead)))
}
const encoded = leads.map((l) => encode(l, new Float64Array(nf)))
const columns = {}
const dictColumns = {}
for (const s of plan) {
  if (s.kind === 'OneHot') {
    columns[s.name] = leads.map((l) => l[s.name])
    const levels = [...new Set(columns[s.name])]
    const code = new Map(levels.map((l, i) => [l, i]))
    dictColumns[s.name] = { codes: Uint32Array.from(leads, (l) => code.get(l[s.name])), levels }
  } else {
    columns[s.name] = dictColumns[s.name] = Float64Array.from(leads, (l) => l[s.name])
  }
}

// Same model, same answers (else the comparison means nothing).
const batch = model.scoreBatch(leads)
const dictBatch = model.scoreColumns(dictColumns)
for (let i = 0; i < 1000; i++) {
  const a = model.score(leads[i])
  if (Math.abs(a - jsRaw(leads[i])) > 1e-9 || Math.abs(a - dot(encoded[i])) > 1e-9 || Math.abs(a - batch[i]) > 1e-12 || Math.abs(a - dictBatch[i]) > 1e-12) {
    throw new Error(`lead ${i}: leadscore ${a}, js ${jsRaw(leads[i])}, batch ${batch[i]}`)
  }
}

// ---- timing ----------------------------------------------------------------------
let sink = 0
function median(f) {
  f() // warm-up
  const t = []
  for (let r = 0; r < R; r++) {
    const t0 = process.hrtime.bigint()
    f()
    t.push(Number(process.hrtime.bigint() - t0) / 1e9)
  }
  t.sort((a, b) => a - b)
  return t[Math.floor(t.length / 2)]
}
const perLead = {
  'js-dot (pre-encoded)': median(() => { for (let i = 0; i < N; i++) sink += dot(encoded[i]) }),
  'js-raw (encode + dot)': median(() => { for (let i = 0; i < N; i++) sink += jsRaw(leads[i]) }),
  'leadscore score()': median(() => { for (let i = 0; i < N; i++) sink += model.score(leads[i]) }),
  'leadscore scoreBatch()': median(() => { sink += model.scoreBatch(leads)[0] }),
  'leadscore scoreColumns()': median(() => { sink += model.scoreColumns(columns)[0] }),
  'leadscore scoreColumns(dict)': median(() => { sink += model.scoreColumns(dictColumns)[0] }),
}
console.log(`node ${process.version}, ${N} leads x ${inputs.length} raw fields (${nf} features), median of ${R}`)
for (const [name, s] of Object.entries(perLead)) {
  console.log(`${name.padEnd(28)} ${((s / N) * 1e9).toFixed(1).padStart(8)} ns/lead  ${(N / s / 1e6).toFixed(2).padStart(7)} M leads/s`)
}
const t = perLead
console.log('\nratios (time / time; < 1 means leadscore is faster):')
console.log(`score() / js-dot            ${(t['leadscore score()'] / t['js-dot (pre-encoded)']).toFixed(2)}  (target <= 3)`)
console.log(`score() / js-raw            ${(t['leadscore score()'] / t['js-raw (encode + dot)']).toFixed(2)}`)
console.log(`scoreBatch() / js-raw       ${(t['leadscore scoreBatch()'] / t['js-raw (encode + dot)']).toFixed(2)}  (target < 1)`)
console.log(`scoreColumns() / js-raw     ${(t['leadscore scoreColumns()'] / t['js-raw (encode + dot)']).toFixed(2)}`)
console.log(`scoreColumns(dict) / js-raw ${(t['leadscore scoreColumns(dict)'] / t['js-raw (encode + dot)']).toFixed(2)}`)
console.log(`scoreColumns(dict) / js-dot ${(t['leadscore scoreColumns(dict)'] / t['js-dot (pre-encoded)']).toFixed(2)}`)
if (sink === 42) console.log('')
