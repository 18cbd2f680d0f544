// Runnable Store example from the README: node bindings-node/examples/store.mjs
// (from the repository root, after building the addon).
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Model, Store } from 'leadscore'

// One store per process: <root>/<tenant>/<name>.lsm, <root>/_global/<name>.lsm the fallback.
// (`leadscore train DATA --target churn --by tenant --out ROOT` fills one for thousands of tenants.)
const root = mkdtempSync(path.join(os.tmpdir(), 'leadscore-store-'))
const store = Store.open(root, { cacheBytes: 64 << 20, checkInterval: 2, fallback: true })
const model = Model.load('tests/fixtures/models/wa_churn_v1.lsm')
store.save('acme', model) // atomic write of <root>/acme/lead.lsm
store.save('_global', model) // the fallback for tenants without a model

const lead = { tenure: 1, contract: 'Month-to-month', monthly_charges: '29,85', internet_service: 'DSL' }
console.log(store.score('acme', lead)) // { probability: 0.2578..., score: 26, label: false, source: 'tenant', fallbackReason: null }
console.log(store.score('newco', lead).fallbackReason) // 'no_model' (answered by _global)
console.log(store.explain('acme', lead, 2).positive[0].label) // 'tenure = 1'
console.log(store.get('acme').threshold) // the answering model, shared (no copy)
console.log(store.stats().tenants.acme.scores, store.tenants()) // 2 [ 'acme' ]
store.flushDrift() // score counts for `leadscore drift` (also every 60 s while scoring)

try {
  store.score('../etc', lead)
} catch (e) {
  console.log(e.code, e.message) // INVALID_INPUT invalid tenant name "../etc": starts with a dot
}
try {
  Store.open(root, { fallback: false }).score('newco', lead)
} catch (e) {
  console.log(e.code) // NOT_FOUND
}
rmSync(root, { recursive: true })
