// The coded score(): after a few calls a model gets its own `score`, a reader that
// sends numbers and level codes to Rust. It must answer exactly as the full path
// (the prototype's score) on every lead, fall back to it for anything it does not
// take, throw the same errors, and free its native state with the model.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Model } from 'leadscore'
import { modelPath, records, expected, close } from './helpers.mjs'

const full = (model, lead) => Model.prototype.score.call(model, lead)

/** A model whose coded score is installed (it takes a few calls). */
function warmed() {
  const model = Model.load(modelPath)
  for (let i = 0; i < 10; i++) model.score(records[i % records.length])
  return model
}

test('a model scored repeatedly gets its own coded score, not enumerable', () => {
  const model = Model.load(modelPath)
  model.score(records[0])
  assert.ok(!Object.prototype.hasOwnProperty.call(model, 'score'), 'installed after one call')
  for (let i = 0; i < 10; i++) model.score(records[i])
  assert.ok(Object.prototype.hasOwnProperty.call(model, 'score'))
  assert.notEqual(model.score, Model.prototype.score)
  assert.deepEqual(Object.keys(model), [])
})

test('coded score equals the full path bit for bit on the fixtures', () => {
  const model = warmed()
  records.forEach((r, i) => {
    const p = model.score(r)
    assert.ok(Object.is(p, full(model, r)), `record ${i}: ${p} vs ${full(model, r)}`)
    close(assert, p, expected.scores[i].probability, `record ${i}`)
  })
})

test('values the reader does not take go to the full path, with the same answer', () => {
  const model = warmed()
  const base = { ...records[0] }
  const variants = [
    { monthly_charges: '29,85' }, // a numeric string
    { monthly_charges: ' 29.85 ' },
    { contract: 'Two year ' }, // a level with a trailing space
    { contract: 'Satellite' }, // an unseen level
    { contract: '   ' }, // blank: missing
    { contract: '' },
    { contract: 7 }, // a number for a category
    { contract: true },
    { partner: true }, // booleans for 0/1 flags
    { partner: false },
    { partner: 'yes' },
    { partner: null },
    { tenure: undefined },
    { tenure: NaN }, // NaN: missing
    { tenure: -0 },
    { senior_citizen: 1 },
    { extra_field: 'ignored', another: { nested: true } },
  ]
  for (const v of variants) {
    const lead = { ...base, ...v }
    const p = model.score(lead)
    assert.ok(Object.is(p, full(model, lead)), `${JSON.stringify(v)}: ${p} vs ${full(model, lead)}`)
  }
  const empty = model.score({})
  assert.ok(Object.is(empty, full(model, {})))
  // A lead with a getter and one with a prototype: read as the full path reads them.
  const proto = Object.create({ contract: 'One year' })
  proto.tenure = 12
  assert.ok(Object.is(model.score(proto), full(model, proto)))
})

test('errors through the coded score are the full path errors', () => {
  const model = warmed()
  const base = { ...records[0] }
  for (const [field, value] of [
    ['tenure', 5n],
    ['tenure', Infinity],
    ['tenure', 'lots'],
    ['partner', 2],
    ['contract', { a: 1 }],
    ['contract', ['x']],
  ]) {
    const lead = { ...base, [field]: value }
    let want
    try {
      full(model, lead)
    } catch (e) {
      want = e
    }
    assert.ok(want, `${field}=${String(value)} should fail on the full path`)
    assert.throws(
      () => model.score(lead),
      (e) => e.code === want.code && e.message === want.message && e.message.includes(field),
      `${field}=${String(value)}`,
    )
  }
  for (const bad of [null, 42, 'lead', [records[0]]]) {
    assert.throws(() => model.score(bad), (e) => e.code === 'INVALID_INPUT', String(bad))
  }
})

test('models with the coded score are freed with their native state', async (t) => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  const bytes = readFileSync(modelPath)
  const settle = async () => {
    gc()
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r))
  }
  const mb = () => process.memoryUsage().rss / 2 ** 20
  let sum = 0
  let base = 0
  const N = 50_000
  for (let i = 0; i < N; i++) {
    const model = Model.fromBuffer(bytes)
    for (let k = 0; k < 10; k++) sum += model.score(records[(i + k) % records.length])
    if (i % 500 === 499) await new Promise((r) => setImmediate(r))
    if (i === 20_000) {
      await settle()
      base = mb()
    }
  }
  await settle()
  const end = mb()
  t.diagnostic(`RSS after warm-up ${base.toFixed(1)} MB, at the end ${end.toFixed(1)} MB`)
  assert.ok(Number.isFinite(sum) && sum > 0)
  assert.ok(end - base < 32, `RSS grew from ${base.toFixed(1)} MB to ${end.toFixed(1)} MB`)
})

test('field names and levels with quotes, backslashes and line separators are read as data', async () => {
  const { train } = await import('leadscore')
  const odd = ['a"b', 'back\\slash', 'line\u2028sep', "it's", '`${x}`', '</script>', 'plain']
  const many = Array.from({ length: 12 }, (_, i) => `city "${i}"\n`.trim())
  const rows = Array.from({ length: 600 }, (_, i) => ({
    'we"ird key\\': odd[i % odd.length],
    "other'key\u2029": many[(i * 7) % many.length],
    n: (i * 37) % 101,
    won: (i * 13) % 5 < 2 ? 'won' : 'lost',
  }))
  // A recipe of numbers and categories read as they are (the coded path's steps),
  // the odd names quoted as the recipe language quotes them.
  const recipe = ['n', JSON.stringify('we"ird key\\'), JSON.stringify("other'key\u2029")].join('\n')
  const model = await train({ rows }, { target: 'won', positive: 'won', minRows: 100, minPositives: 10, cv: 0, minCount: 1, recipe, kinds: { 'we"ird key\\': 'categorical', "other'key\u2029": 'categorical' } })
  for (let k = 0; k < 10; k++) model.score(rows[k])
  assert.ok(Object.prototype.hasOwnProperty.call(model, 'score'), 'the coded score was installed')
  for (const r of rows.slice(0, 100)) {
    assert.ok(Object.is(model.score(r), full(model, r)), JSON.stringify(r))
  }
})

test('coded scoreBatch: the reader in a loop, the full batch path on any error', () => {
  const model = Model.load(modelPath)
  const batchFull = (leads) => Model.prototype.scoreBatch.call(model, leads)
  // One batch of enough leads installs the coded paths.
  const first = model.scoreBatch(records)
  assert.ok(Object.prototype.hasOwnProperty.call(model, 'scoreBatch'))
  const mixed = records.map((r, i) => (i % 3 === 0 ? { ...r, monthly_charges: String(r.monthly_charges) } : r))
  for (const leads of [records, mixed, [], [records[0]]]) {
    const got = model.scoreBatch(leads)
    const want = batchFull(leads)
    assert.ok(got instanceof Float64Array)
    assert.deepEqual(Array.from(got), Array.from(want))
  }
  assert.deepEqual(Array.from(first), Array.from(batchFull(records)))
  const bad = [...records.slice(0, 5), { ...records[5], tenure: 5n }]
  let want
  try {
    batchFull(bad)
  } catch (e) {
    want = e
  }
  assert.ok(want && want.message.includes('leads[5]'), String(want))
  assert.throws(() => model.scoreBatch(bad), (e) => e.code === want.code && e.message === want.message)
  assert.throws(() => model.scoreBatch('nope'), (e) => e.code === 'INVALID_INPUT')
})
