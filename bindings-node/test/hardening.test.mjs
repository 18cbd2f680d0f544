// Hostile and careless input: no crash, no silent wrong answer, the same meaning on
// every path (the coded score, the full score, scoreBatch).
import test from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Model, Store, train } from 'leadscore'
import { modelPath } from './helpers.mjs'

const full = (model, lead) => Model.prototype.score.call(model, lead)

test('fields named like Object.prototype properties are read only as own properties', async () => {
  const rows = []
  for (let i = 0; i < 400; i++) {
    const constructor = (i * 37) % 100
    rows.push({ constructor, toString: ['a', 'b', 'c'][i % 3], won: (constructor + (i % 7) * 9) > 60 ? 1 : 0 })
  }
  const model = await train({ rows }, { target: 'won', cv: 0, minRows: 100, minPositives: 10 })
  const empty = full(model, {})
  // Every path, before and after the coded score is installed.
  for (let round = 0; round < 12; round++) {
    assert.equal(model.score({}), empty, `round ${round}: {} reads no inherited field`)
    assert.equal(model.score(Object.create(null)), empty)
  }
  assert.deepEqual(Array.from(model.scoreBatch([{}, {}])), [empty, empty])
  const own = { constructor: 50, toString: 'b' }
  assert.equal(model.score(own), full(model, own))
  assert.equal(model.scoreBatch([own])[0], full(model, own))
  assert.notEqual(model.score(own), empty)
  assert.ok(model.explain({}, 3))
})

test('infinity is refused on every path, extremes score in range', () => {
  const model = Model.load(modelPath)
  for (const x of [Infinity, -Infinity]) {
    assert.throws(() => full(model, { tenure: x }), /tenure/)
    assert.throws(() => model.scoreBatch([{ tenure: 1 }, { tenure: x }]), /tenure/)
  }
  for (const x of [1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE]) {
    const d = model.scoreDetailed({ tenure: x, monthly_charges: x })
    assert.ok(d.probability >= 0 && d.probability <= 1 && d.score >= 1 && d.score <= 99, JSON.stringify(d))
    assert.equal(model.scoreBatch([{ tenure: x, monthly_charges: x }])[0], d.probability)
  }
})

test('options that size work are bounded', async () => {
  await assert.rejects(
    train({ rows: [{ a: 1, y: 1 }] }, { target: 'y', cv: 1e9 }),
    /cv_folds/
  )
})

test('files that are not models are not read', () => {
  assert.throws(() => Model.load('/dev/zero'), /not a model file/)
})

test('a store reads no model file over maxFileBytes', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'leadscore-hardening-'))
  try {
    const model = Model.load(modelPath)
    const small = Store.open(root, { maxFileBytes: 100, driftFlushInterval: null })
    small.save('_global', model)
    assert.throws(() => small.score('acme', { tenure: 3 }), (e) => e.code === 'NOT_FOUND')
    small.close()
    const roomy = Store.open(root, { driftFlushInterval: null })
    assert.equal(roomy.score('acme', { tenure: 3 }).source, 'fallback')
    roomy.close()
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
