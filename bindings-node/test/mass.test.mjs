// store.trainTenants(), store.drift() and store.markInsufficient(): mass training from
// Node, checked against the cross-language fixture tests/fixtures/mass.json.
import test from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Model, Store } from 'leadscore'
import { fixture, repo, modelPath, churnCsv } from './helpers.mjs'

const mass = JSON.parse(readFileSync(fixture('mass.json'), 'utf8'))
const dirs = []
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
function tmp() {
  const d = mkdtempSync(path.join(os.tmpdir(), 'leadscore-mass-'))
  dirs.push(d)
  return d
}

/** The fixture's view of an outcome (camelCase here, snake_case in the file). */
const brief = (t) => ({ tenant: t.tenant, status: t.status, rows: t.rows, positives: t.positives, roc_auc: t.rocAuc })
const sorted = (o) => Object.fromEntries(Object.entries(o).sort())

function checkFixture(run) {
  assert.deepEqual(run.tenants.map(brief).map(sorted), mass.tenants.map(sorted))
  assert.deepEqual(sorted(brief(run.global)), sorted(mass.global))
}

/** wa_churn.csv as row objects (it has no quoted fields). */
function churnRows() {
  const [head, ...lines] = readFileSync(churnCsv, 'utf8').split('\n').filter((l) => l !== '')
  const names = head.split(',')
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])))
}

test('trainTenants on the export matches the fixture, with progress on the event loop', async () => {
  const root = tmp()
  const store = Store.open(root, { checkInterval: 0 })
  const seen = []
  const run = await store.trainTenants({ csv: path.join(repo, mass.data) }, mass.options, (p) => seen.push(p))
  checkFixture(run)
  assert.equal(run.rowsWithoutTenant, 0)
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(seen.map((p) => p.done).sort(), [1, 2, 3])
  assert.ok(seen.every((p) => p.total === 3 && p.elapsed >= 0))
  assert.equal(Math.max(...seen.map((p) => p.rowsDone)), 7043)
  const saved = JSON.parse(readFileSync(path.join(root, '_training.json'), 'utf8'))
  assert.deepEqual(saved.tenants.map((t) => t.status), ['trained', 'trained', 'insufficient_data'])
  assert.equal(store.score('One year', { tenure: 3 }).source, 'tenant')
  assert.equal(store.score('Two year', { tenure: 3 }).fallbackReason, 'insufficient_data')
})

test('trainTenants on rows matches the fixture; no callback needed', async () => {
  const store = Store.open(tmp())
  checkFixture(await store.trainTenants({ rows: churnRows() }, mass.options))
})

test('trainTenants rejects bad options with a coded error and keeps the event loop free', async () => {
  const store = Store.open(tmp())
  await assert.rejects(store.trainTenants({ csv: churnCsv }, { target: 'churn', by: 'region' }), (e) => e.code === 'UNKNOWN_COLUMN' && /region/.test(e.message))
  await assert.rejects(store.trainTenants({ csv: churnCsv }, { target: 'churn', by: 'contract', globalMaxRows: -1 }), (e) => e.code === 'INVALID_INPUT' && /global_max_rows/.test(e.message))
  await assert.rejects(store.trainTenants({ rows: churnRows().slice(0, 50) }, { target: 'churn' }), (e) => e.code === 'INVALID_INPUT' && /tenant column/.test(e.message))
  // The loop keeps turning while a run trains.
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const run = await store.trainTenants({ csv: churnCsv }, { target: 'churn', by: 'contract', cv: 5, global: false, name: 'deal' })
  clearInterval(timer)
  assert.equal(run.global, null)
  assert.ok(ticks > 0, 'the event loop ran during training')
  store.close()
  assert.throws(() => store.trainTenants({ csv: churnCsv }, { target: 'churn' }), /closed/)
})

test('markInsufficient and drift', () => {
  const root = tmp()
  const store = Store.open(root, { checkInterval: 0, driftFlushInterval: null })
  const golden = Model.load(modelPath)
  store.save('_global', golden)
  assert.equal(store.score('newco', { tenure: 2 }).fallbackReason, 'no_model')
  store.markInsufficient('newco', { rows: 80, positives: 3 })
  assert.equal(store.score('newco', { tenure: 2 }).fallbackReason, 'insufficient_data')
  assert.ok(existsSync(path.join(root, 'newco', 'lead.json')))
  assert.throws(() => store.markInsufficient('_global'), (e) => e.code === 'INVALID_INPUT' && /reserved/.test(e.message))
  assert.throws(() => store.markInsufficient('x', { rows: 1, positives: 2 }), /exceed/)
  assert.throws(() => store.markInsufficient('x', { rows: -1 }), /non-negative/)
  assert.throws(() => store.markInsufficient('x', { bogus: 1 }), /unknown option/)

  const rows = store.drift()
  assert.ok(Array.isArray(rows))
  assert.deepEqual(store.drift({ tenant: '_global' }).map((r) => [r.tenant, r.name]), [['_global', 'lead']])
  assert.throws(() => store.drift({ tenant: '..' }), (e) => e.code === 'INVALID_INPUT')
  assert.throws(() => store.drift({ nope: 1 }), /unknown option/)
})
