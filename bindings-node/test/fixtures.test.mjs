// Parity with the cross-language fixtures: the same probabilities and
// contributions as the Rust core, to 1e-12, through every scoring path.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Model } from 'leadscore'
import { modelPath, records, expected, close } from './helpers.mjs'

const model = Model.load(modelPath)
const scores = expected.scores

test('fixture has one expectation per record', () => {
  assert.equal(records.length, 24)
  assert.equal(scores.length, records.length)
})

test('score / scoreDetailed match the core (single-record path)', () => {
  records.forEach((r, i) => {
    close(assert, model.score(r), scores[i].probability, `record ${i} score()`)
    const d = model.scoreDetailed(r)
    close(assert, d.probability, scores[i].probability, `record ${i} scoreDetailed()`)
    assert.equal(d.score, scores[i].score, `record ${i} 1-99 score`)
    assert.equal(d.label, scores[i].label, `record ${i} label`)
  })
})

test('explain(lead, 3) matches the core reasons and contributions', () => {
  records.forEach((r, i) => {
    const e = model.explain(r, 3)
    const want = scores[i].explain_k3
    close(assert, e.probability, scores[i].probability, `record ${i} explain probability`)
    assert.equal(e.score, scores[i].score)
    assert.equal(e.label, scores[i].label)
    for (const side of ['positive', 'negative']) {
      assert.equal(e[side].length, want[side].length, `record ${i} ${side} count`)
      e[side].forEach((got, j) => {
        assert.equal(got.field, want[side][j].field, `record ${i} ${side}[${j}] field`)
        assert.equal(got.label, want[side][j].label, `record ${i} ${side}[${j}] label`)
        close(assert, got.contribution, want[side][j].contribution, `record ${i} ${side}[${j}]`)
      })
    }
  })
  // k defaults to 3
  assert.deepEqual(model.explain(records[0]), model.explain(records[0], 3))
  const wide = model.explain(records[0], 100)
  assert.ok(wide.positive.length + wide.negative.length > 6)
  assert.ok(wide.baseProbability > 0 && wide.baseProbability < 1)
})

test('scoreBatch matches the core (batch path)', () => {
  const p = model.scoreBatch(records)
  assert.ok(p instanceof Float64Array)
  assert.equal(p.length, records.length)
  p.forEach((x, i) => close(assert, x, scores[i].probability, `batch record ${i}`))
  assert.equal(model.scoreBatch([]).length, 0)
})

test('scoreBatch equals score() lead by lead on both of its paths', async () => {
  // Uniform batches (every field one kind of value) take the core's table path;
  // mixed ones are scored lead by lead. Both must equal score() exactly.
  const uniform = records.filter((r) =>
    model.inputNames.every((f) => r[f] === undefined || r[f] === null || typeof r[f] === 'number' || Number.isNaN(Number(r[f]))),
  )
  const blanks = uniform.map((r, i) => ({ ...r, contract: i % 3 === 0 ? '  ' : r.contract, tenure: i % 4 === 0 ? null : r.tenure, payment_method: i % 5 === 0 ? '' : r.payment_method }))
  const unseen = uniform.map((r, i) => ({ ...r, contract: i % 2 ? ' Month-to-month ' : 'Decade' }))
  const mixed = [...uniform, { ...uniform[0], tenure: '12' }, { ...uniform[1], partner: true }]
  for (const [name, batch] of [['uniform', uniform], ['blanks', blanks], ['unseen', unseen], ['mixed', mixed], ['all', records]]) {
    const want = batch.map((r) => model.score(r))
    const got = model.scoreBatch(batch)
    got.forEach((p, i) => close(assert, p, want[i], `${name} lead ${i}`, 0))
    const got2 = await model.scoreBatchAsync(batch)
    got2.forEach((p, i) => close(assert, p, want[i], `${name} async lead ${i}`, 0))
  }
  // Errors name the lead whichever path the batch would take.
  assert.throws(() => model.scoreBatch([...uniform, { tenure: Infinity }]), (e) => e.code === 'INVALID_INPUT' && /leads\[\d+\]/.test(e.message) && /tenure/.test(e.message))
  assert.throws(() => model.scoreBatch([...uniform, { partner: 7 }]), (e) => e.code === 'INVALID_INPUT' && /leads\[\d+\]/.test(e.message) && /partner/.test(e.message))
  assert.throws(() => model.scoreBatch([...uniform, { tenure: 'soon' }]), (e) => e.code === 'INVALID_INPUT' && /leads\[\d+\]/.test(e.message) && /soon/.test(e.message))
})

test('scoreBatchAsync matches the core', async () => {
  const p = await model.scoreBatchAsync(records)
  assert.ok(p instanceof Float64Array)
  p.forEach((x, i) => close(assert, x, scores[i].probability, `async batch record ${i}`))
})

test('scoreColumns (Float64Array columns) matches the single-record path', async () => {
  // Records whose fields are all plain numbers or category strings.
  const plain = records.filter((r) =>
    model.inputNames.every((f) => r[f] === undefined || r[f] === null || typeof r[f] === 'number' || Number.isNaN(Number(r[f])))
  )
  assert.ok(plain.length >= 10, `${plain.length} plain records`)
  const columns = {}
  for (const f of model.inputNames) {
    const vals = plain.map((r) => r[f])
    columns[f] = vals.some((v) => typeof v === 'string')
      ? vals.map((v) => (v === undefined || v === null ? null : String(v)))
      : Float64Array.from(vals, (v) => (v === undefined || v === null ? NaN : v))
  }
  columns.unused = ['ignored']
  delete columns.unused
  const p = model.scoreColumns(columns)
  p.forEach((x, i) => close(assert, x, model.score(plain[i]), `column row ${i}`))
  const q = await model.scoreBatchAsync(columns)
  q.forEach((x, i) => close(assert, x, p[i], `async column row ${i}`))
  // Dictionary-encoded string columns give the same probabilities.
  const dict = {}
  for (const [f, col] of Object.entries(columns)) {
    if (col instanceof Float64Array) {
      dict[f] = col
    } else {
      const levels = [...new Set(col.filter((v) => v !== null))]
      dict[f] = { codes: Uint32Array.from(col, (v) => (v === null ? 0xffffffff : levels.indexOf(v))), levels }
    }
  }
  const d = model.scoreColumns(dict)
  d.forEach((x, i) => close(assert, x, p[i], `dictionary column row ${i}`))
  // Blank strings are missing, as for score().
  const blank = model.scoreColumns({ contract: ['  ', ''], tenure: new Float64Array([1, 2]) })
  close(assert, blank[0], model.score({ tenure: 1 }), 'blank string column row 0', 0)
  const blankDict = model.scoreColumns({ contract: { codes: new Uint32Array([0, 1]), levels: [' ', 'Two year'] }, tenure: new Float64Array([1, 2]) })
  close(assert, blankDict[0], model.score({ tenure: 1 }), 'blank dictionary level', 0)
  close(assert, blankDict[1], model.score({ tenure: 2, contract: 'Two year' }), 'dictionary level', 0)
  // A column the model does not read is ignored; a field without a column is missing.
  const partial = model.scoreColumns({ tenure: new Float64Array([1, 70]), other: ['a', 'b'] })
  close(assert, partial[0], model.score({ tenure: 1 }), 'partial row 0')
  close(assert, partial[1], model.score({ tenure: 70 }), 'partial row 1')
})

test('save / load / toBuffer / fromBuffer round-trip', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const path = await import('node:path')
  const dir = mkdtempSync(path.join(tmpdir(), 'leadscore-node-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const buf = model.toBuffer()
  assert.ok(Buffer.isBuffer(buf))
  // The golden file is format version 1; toBuffer writes the current version, which
  // reads back to the same bytes.
  assert.equal(buf.readUInt16LE(4), 5)
  assert.deepEqual(Model.fromBuffer(buf).toBuffer(), buf, 'toBuffer round-trips')
  const file = path.join(dir, 'm.lsm')
  model.save(file)
  for (const m of [Model.load(file), Model.fromBuffer(buf), Model.fromBuffer(new Uint8Array(buf))]) {
    records.forEach((r, i) => assert.equal(m.score(r), model.score(r), `record ${i}`))
  }
})

test('info() and metrics() describe the model in camelCase', () => {
  const info = model.info()
  assert.equal(info.target, 'churn')
  assert.equal(info.formatVersion, 1)
  assert.equal(info.features, 51)
  assert.equal(info.threshold, model.threshold)
  assert.deepEqual(info.inputs.map((i) => i.name), model.inputNames)
  assert.equal(info.inputCount, model.inputNames.length)
  const m = model.metrics()
  assert.ok(m.rocAuc > m.baseline.rocAuc, 'the model beats a random guess')
  assert.equal(info.rocAuc, m.rocAuc)
})
