// The Store class: many tenants' models in one folder, the `_global` fallback and why
// it answered, name validation, hot reload, counters and drift files — checked
// against the cross-language fixtures (the golden model's probabilities to 1e-12).
import test from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Model, Store, train } from 'leadscore'
import { modelPath, records, expected, close } from './helpers.mjs'

const golden = Model.load(modelPath)
const scores = expected.scores
const lead = { tenure: 1, contract: 'Month-to-month', monthly_charges: 29.85, total_charges: 29.85 }

const dirs = []
test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A fresh store folder holding the golden model for `acme_corp`, `beta` and `_global`. */
function goldenStore(options = { checkInterval: 0 }) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'leadscore-store-'))
  dirs.push(root)
  const store = Store.open(root, options)
  for (const tenant of ['acme_corp', 'beta', '_global']) store.save(tenant, golden)
  return { root, store }
}

/** Asserts that fn throws an Error with this code whose message includes every needle. */
function throwsCoded(fn, code, ...needles) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, `an Error, got ${e}`)
    assert.equal(e.code, code, `code of: ${e.message}`)
    for (const n of needles) assert.ok(e.message.includes(n), `"${e.message}" should mention ${n}`)
    return true
  })
}

/** A small model that reads only `tenure` (so it scores the fixtures differently);
 * with `cv` folds it carries the training deciles that drift counts need. */
function tenureModel(cv = 0) {
  const rows = []
  for (let i = 0; i < 300; i++) rows.push({ tenure: i % 60, churn: (i % 60 < 20) !== (i % 13 === 0) ? 'Yes' : 'No' })
  return train({ rows }, { target: 'churn', positive: 'Yes', cv, minRows: 50, minPositives: 10, seed: 1 })
}

test('the store answers with the tenant model: fixture probabilities, scores, labels and reasons', () => {
  const { root, store } = goldenStore()
  assert.ok(existsSync(path.join(root, 'acme_corp', 'lead.lsm')))
  assert.ok(existsSync(path.join(root, '_global', 'lead.lsm')))
  records.forEach((r, i) => {
    const s = store.score('acme_corp', r)
    close(assert, s.probability, scores[i].probability, `record ${i} store.score`)
    assert.equal(s.score, scores[i].score, `record ${i} 1-99 score`)
    assert.equal(s.label, scores[i].label, `record ${i} label`)
    assert.equal(s.source, 'tenant')
    assert.equal(s.fallbackReason, null)
    // Exactly what Model.scoreDetailed gives (the same reader and path).
    assert.equal(s.probability, golden.scoreDetailed(r).probability)

    const e = store.explain('beta', r, 3)
    const want = scores[i].explain_k3
    close(assert, e.probability, scores[i].probability, `record ${i} store.explain`)
    assert.equal(e.source, 'tenant')
    assert.equal(e.fallbackReason, null)
    for (const side of ['positive', 'negative']) {
      assert.equal(e[side].length, want[side].length, `record ${i} ${side} count`)
      e[side].forEach((got, j) => {
        assert.equal(got.field, want[side][j].field)
        assert.equal(got.label, want[side][j].label)
        close(assert, got.contribution, want[side][j].contribution, `record ${i} ${side}[${j}]`)
      })
    }
  })
  // k defaults to 3, the name to 'lead'; null/undefined mean the defaults too.
  const { source, fallbackReason, ...explained } = store.explain('beta', records[0])
  assert.deepEqual(explained, golden.explain(records[0], 3))
  assert.deepEqual(store.explain('beta', records[0], undefined, 'lead'), { ...explained, source, fallbackReason })
  assert.deepEqual(store.score('beta', records[0], null), store.score('beta', records[0], 'lead'))
  assert.ok(store.explain('beta', records[0], 100).positive.length > 3)
})

test('an unknown tenant is answered by _global with reason no_model', () => {
  const { root, store } = goldenStore()
  records.forEach((r, i) => {
    const s = store.score('newco', r)
    assert.equal(s.source, 'fallback')
    assert.equal(s.fallbackReason, 'no_model')
    close(assert, s.probability, scores[i].probability, `record ${i} via the fallback`)
  })
  const e = store.explain('newco', lead)
  assert.equal(e.source, 'fallback')
  assert.equal(e.fallbackReason, 'no_model')
  // No folder was made for the unknown tenant.
  assert.ok(!existsSync(path.join(root, 'newco')))
  assert.deepEqual(store.tenants(), ['acme_corp', 'beta'])
})

test('a tenant marked insufficient_data, or with an unreadable file, falls back and says why', () => {
  const { root, store } = goldenStore()
  mkdirSync(path.join(root, 'tiny'))
  writeFileSync(path.join(root, 'tiny', 'lead.json'), JSON.stringify({ status: 'insufficient_data', rows: 12 }))
  const s = store.score('tiny', lead)
  assert.equal(s.source, 'fallback')
  assert.equal(s.fallbackReason, 'insufficient_data')
  assert.equal(s.probability, golden.score(lead))
  assert.equal(store.explain('tiny', lead).fallbackReason, 'insufficient_data')

  mkdirSync(path.join(root, 'broken'))
  writeFileSync(path.join(root, 'broken', 'lead.lsm'), 'LSCM garbage')
  assert.equal(store.score('broken', lead).fallbackReason, 'unreadable')
  assert.deepEqual(store.tenants(), ['acme_corp', 'beta', 'broken', 'tiny'])
})

test('no model and no fallback is NOT_FOUND', () => {
  const { root } = goldenStore()
  const strict = Store.open(root, { fallback: false, checkInterval: 0 })
  throwsCoded(() => strict.score('newco', lead), 'NOT_FOUND', '"newco"', 'no_model')
  throwsCoded(() => strict.explain('newco', lead), 'NOT_FOUND', '"newco"')
  throwsCoded(() => strict.get('newco'), 'NOT_FOUND', '"newco"')
  assert.equal(strict.score('acme_corp', lead).source, 'tenant')
  // With the fallback on but no _global model, the same.
  const empty = Store.open(mkdtempSync(path.join(os.tmpdir(), 'leadscore-store-')))
  dirs.push(empty.root)
  throwsCoded(() => empty.score('acme', lead), 'NOT_FOUND', '"acme"')
  // A model name nobody has.
  throwsCoded(() => strict.score('acme_corp', lead, 'upsell'), 'NOT_FOUND', '"upsell"')
})

test('tenant and model names cannot leave the root: INVALID_INPUT', () => {
  const { root, store } = goldenStore()
  for (const bad of ['../acme_corp', '..', '.', 'a/b', '/etc', 'a\\b', 'x\0y', '']) {
    throwsCoded(() => store.score(bad, lead), 'INVALID_INPUT', 'tenant')
    throwsCoded(() => store.explain(bad, lead), 'INVALID_INPUT', 'tenant')
    throwsCoded(() => store.get(bad), 'INVALID_INPUT', 'tenant')
    throwsCoded(() => store.save(bad, golden), 'INVALID_INPUT', 'tenant')
    throwsCoded(() => store.score('acme_corp', lead, bad), 'INVALID_INPUT', 'model name')
  }
  assert.ok(!existsSync(path.join(root, '..', 'acme_corp')))
  throwsCoded(() => store.score(42, lead), 'INVALID_INPUT', 'tenant must be a string')
  throwsCoded(() => store.score('acme_corp', lead, 7), 'INVALID_INPUT', 'name must be a string')
})

test('leads are read like Model.score: same values, same errors, unread fields ignored', () => {
  const { store } = goldenStore()
  const r = { ...lead, monthly_charges: '29,85', partner: true, crm_id: 12n, notes: { a: 1 } }
  assert.equal(store.score('acme_corp', r).probability, golden.score(r))
  for (const [value, needle] of [[5n, 'BigInt'], [{ years: 1 }, 'got object'], [[1], 'got array'], ['twelve', 'twelve']]) {
    const bad = { ...lead, tenure: value }
    let want
    try { golden.score(bad) } catch (e) { want = e }
    assert.ok(want, 'Model.score throws')
    throwsCoded(() => store.score('acme_corp', bad), want.code, '"tenure"', needle, want.message)
    throwsCoded(() => store.explain('newco', bad), 'INVALID_INPUT', '"tenure"')
  }
  for (const bad of [null, undefined, 3, 'lead', [lead]]) {
    throwsCoded(() => store.score('acme_corp', bad), 'INVALID_INPUT', 'a lead must be an object')
  }
  throwsCoded(() => store.explain('acme_corp', lead, -1), 'INVALID_INPUT', 'k must be')
  // A failed read is not counted as a score.
  assert.equal(store.stats().tenants.acme_corp.scores, 1)
})

test('a getter on the lead may call the store again (re-entrant reads)', () => {
  const { store } = goldenStore()
  const inner = []
  const r = {
    contract: 'Month-to-month',
    get tenure() {
      inner.push(store.score('beta', { tenure: 60 }).probability)
      return 1
    },
  }
  assert.equal(store.score('acme_corp', r).probability, golden.score({ contract: 'Month-to-month', tenure: 1 }))
  assert.deepEqual(inner, [golden.score({ tenure: 60 })])
})

test('stats() counts scores per tenant with camelCase keys and tenant names kept', () => {
  const { store } = goldenStore()
  records.forEach((r) => store.score('acme_corp', r))
  store.score('newco', lead)
  store.score('new_co', lead)
  store.explain('beta', lead)
  const st = store.stats()
  assert.deepEqual(Object.keys(st).sort(), ['cacheBytesLimit', 'cachedBytes', 'cachedModels', 'evictions', 'tenants', 'totals'])
  assert.deepEqual(Object.keys(st.tenants).sort(), ['acme_corp', 'beta', 'new_co', 'newco'])
  assert.deepEqual(Object.keys(st.totals).sort(), ['fallbacks', 'hits', 'loadMicros', 'loads', 'misses', 'scores'])
  assert.equal(st.tenants.acme_corp.scores, records.length)
  assert.equal(st.tenants.acme_corp.fallbacks, 0)
  assert.equal(st.tenants.newco.scores, 1)
  assert.equal(st.tenants.newco.fallbacks, 1)
  assert.equal(st.tenants.beta.scores, 1)
  assert.equal(st.totals.scores, records.length + 3)
  assert.equal(st.totals.fallbacks, 2)
  assert.ok(st.tenants.acme_corp.loads >= 1)
  assert.ok(st.cachedModels >= 3, `${st.cachedModels} cached models`)
  assert.ok(st.cachedBytes > 0 && st.cachedBytes <= st.cacheBytesLimit)
  assert.equal(st.cacheBytesLimit, 256 * 1024 * 1024)
  assert.equal(Store.open(store.root, { cacheBytes: 1 << 20 }).stats().cacheBytesLimit, 1 << 20)
})

test('a model file replaced on disk is picked up (checkInterval 0); get() keeps the old model', async () => {
  const { root, store } = goldenStore()
  const other = await tenureModel()
  const before = store.get('acme_corp')
  assert.ok(before instanceof Model)
  assert.deepEqual(before.inputNames, golden.inputNames)
  records.forEach((r, i) => close(assert, before.score(r), scores[i].probability, `get() record ${i}`))

  // Deploy another model the way a trainer would: write beside, then rename over.
  const staged = path.join(root, 'staged.lsm')
  other.save(staged)
  renameSync(staged, path.join(root, 'acme_corp', 'lead.lsm'))
  records.forEach((r, i) => {
    const s = store.score('acme_corp', r)
    assert.equal(s.source, 'tenant')
    assert.equal(s.probability, other.score(r), `record ${i} answered by the new model`)
  })
  assert.notEqual(store.score('acme_corp', records[0]).probability, golden.score(records[0]))
  assert.deepEqual(store.get('acme_corp').inputNames, ['tenure'])
  // The Model handed out earlier still is the old one.
  assert.equal(before.score(records[0]), golden.score(records[0]))
  // Other tenants are untouched; a plain copy over the file is picked up as well.
  assert.equal(store.score('beta', records[0]).probability, golden.score(records[0]))
  copyFileSync(path.join(root, 'acme_corp', 'lead.lsm'), path.join(root, 'beta', 'lead.lsm'))
  assert.equal(store.score('beta', records[0]).probability, other.score(records[0]))
  assert.ok(store.stats().tenants.acme_corp.loads >= 2)
})

test('save() under a model name, get() of the fallback, and a store sharing models with Model', async () => {
  const { root, store } = goldenStore()
  const other = await tenureModel()
  store.save('acme_corp', other, 'upsell')
  assert.ok(existsSync(path.join(root, 'acme_corp', 'upsell.lsm')))
  assert.equal(store.score('acme_corp', lead, 'upsell').probability, other.score(lead))
  assert.equal(store.explain('acme_corp', lead, 2, 'upsell').probability, other.score(lead))
  assert.equal(store.score('acme_corp', lead).probability, golden.score(lead))
  // The fallback's model, as a Model that can be saved elsewhere.
  const g = store.get('newco')
  assert.equal(g.score(lead), golden.score(lead))
  store.save('gamma', g)
  assert.equal(store.score('gamma', lead).source, 'tenant')
  // The same model, saved in the current format version (the golden file is version 1).
  const sameBut = (j) => ({ ...j, format_version: undefined })
  assert.equal(Model.load(path.join(root, 'gamma', 'lead.lsm')).toJson().format_version, 5)
  assert.deepEqual(sameBut(Model.load(path.join(root, 'gamma', 'lead.lsm')).toJson()), sameBut(golden.toJson()))
  // Saving replaces this store's cached model at once, whatever the check interval.
  const slow = Store.open(root, { checkInterval: 3600 })
  assert.equal(slow.score('beta', lead).probability, golden.score(lead))
  slow.save('beta', other)
  assert.equal(slow.score('beta', lead).probability, other.score(lead))
  for (const bad of [null, {}, lead, store, 'model.lsm']) {
    throwsCoded(() => store.save('delta', bad), 'INVALID_INPUT', 'model must be a leadscore Model')
  }
  assert.ok(!existsSync(path.join(root, 'delta')))
})

test('flushDrift() writes the score counts beside the answering model', async () => {
  const { root, store } = goldenStore()
  const other = await tenureModel(3)
  store.save('acme_corp', other)
  store.save('_global', other)
  records.forEach((r) => store.score('acme_corp', r))
  store.score('newco', lead)
  store.score('newco', lead)
  const file = path.join(root, 'acme_corp', 'lead.scores.json')
  assert.ok(!existsSync(file), 'not written before the flush (the interval is 60 s)')
  store.flushDrift()
  assert.ok(existsSync(file), 'lead.scores.json written')
  const sum = (f) => JSON.parse(readFileSync(f, 'utf8')).counts.reduce((a, b) => a + b, 0)
  assert.equal(sum(file), records.length)
  // Scores given by the fallback are counted beside the fallback model.
  assert.equal(sum(path.join(root, '_global', 'lead.scores.json')), 2)
  // Counts add up across flushes; flushing with nothing new changes nothing.
  store.score('acme_corp', lead)
  store.flushDrift()
  store.flushDrift()
  assert.equal(sum(file), records.length + 1)
})

test('close() writes the drift counts, frees the cache, and later calls throw', async () => {
  const { root, store } = goldenStore()
  const other = await tenureModel(3)
  store.save('acme_corp', other)
  records.forEach((r) => store.score('acme_corp', r))
  const kept = store.get('acme_corp')
  assert.ok(store.stats().cachedModels > 0)
  store.close()
  const file = path.join(root, 'acme_corp', 'lead.scores.json')
  const counts = JSON.parse(readFileSync(file, 'utf8')).counts
  assert.equal(counts.reduce((a, b) => a + b, 0), records.length)
  for (const call of [
    () => store.score('acme_corp', lead),
    () => store.explain('acme_corp', lead),
    () => store.get('acme_corp'),
    () => store.save('acme_corp', golden),
    () => store.stats(),
    () => store.flushDrift(),
    () => store.tenants(),
  ]) {
    throwsCoded(call, 'INVALID_INPUT', 'the store is closed')
  }
  store.close() // a second close is a no-op
  // A model taken out before closing still scores; the folder is untouched.
  assert.equal(kept.score(lead), other.score(lead))
  assert.equal(Store.open(root).score('acme_corp', lead).probability, other.score(lead))
})

test('Store.open validates its options and its root', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'leadscore-store-'))
  dirs.push(root)
  assert.equal(Store.open(root).root, root)
  assert.equal(Store.open(root, null).root, root)
  assert.equal(Store.open(root, { cacheBytes: undefined, checkInterval: null }).root, root)
  const nested = path.join(root, 'a', 'b')
  Store.open(nested)
  assert.ok(existsSync(nested), 'missing root folders are created')
  throwsCoded(() => Store.open(root, { cacheSize: 1 }), 'INVALID_INPUT', 'cacheSize', 'cacheBytes')
  throwsCoded(() => Store.open(root, { cacheBytes: -1 }), 'INVALID_INPUT', 'cacheBytes')
  throwsCoded(() => Store.open(root, { cacheBytes: 1.5 }), 'INVALID_INPUT', 'cacheBytes')
  throwsCoded(() => Store.open(root, { cacheBytes: '1M' }), 'INVALID_INPUT', 'cacheBytes')
  throwsCoded(() => Store.open(root, { checkInterval: -1 }), 'INVALID_INPUT', 'checkInterval')
  throwsCoded(() => Store.open(root, { checkInterval: Infinity }), 'INVALID_INPUT', 'checkInterval')
  throwsCoded(() => Store.open(root, { fallback: 'yes' }), 'INVALID_INPUT', 'fallback')
  throwsCoded(() => Store.open(root, 5), 'INVALID_INPUT', 'options')
  throwsCoded(() => Store.open(42), 'INVALID_INPUT', 'root must be a string')
  const file = path.join(root, 'plain-file')
  writeFileSync(file, 'x')
  throwsCoded(() => Store.open(file), 'IO')
})
