// Errors carry a `code` string mapped from the core error codes; JavaScript values
// map to field values naturally, and wrong ones are errors naming the field.
// (CommonJS on purpose: the package must be require()-able.)
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Model, train } = require('leadscore')

const repo = path.resolve(__dirname, '..', '..')
const modelPath = path.join(repo, 'tests', 'fixtures', 'models', 'wa_churn_v1.lsm')
const model = Model.load(modelPath)
const lead = { tenure: 1, contract: 'Month-to-month', monthly_charges: 29.85, total_charges: 29.85 }

/** Asserts that fn throws (or the promise rejects with) an Error with this code whose message includes every needle. */
function coded(err, code, ...needles) {
  assert.ok(err instanceof Error, `an Error, got ${err}`)
  assert.equal(err.code, code, `code of: ${err.message}`)
  for (const n of needles) assert.ok(err.message.includes(n), `"${err.message}" should mention ${n}`)
  return true
}

test('INVALID_INPUT: BigInt, objects, arrays and functions as field values name the field', () => {
  for (const [value, needle] of [
    [5n, 'BigInt'],
    [{ years: 1 }, 'got object'],
    [[1, 2], 'got array'],
    [() => 1, 'got function'],
    [Symbol('x'), 'got symbol'],
  ]) {
    assert.throws(() => model.score({ ...lead, tenure: value }), (e) => coded(e, 'INVALID_INPUT', '"tenure"', needle))
    assert.throws(() => model.scoreBatch([lead, { ...lead, tenure: value }]), (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'leads[1]'))
    assert.throws(() => model.explain({ ...lead, tenure: value }), (e) => coded(e, 'INVALID_INPUT', '"tenure"'))
  }
  // A field the model does not read is never looked at.
  assert.equal(model.score({ ...lead, crm_id: 12n }), model.score(lead))
})

test('INVALID_INPUT: values of the wrong kind, non-objects and bad columns', () => {
  assert.throws(() => model.score({ ...lead, tenure: 'twelve' }), (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'twelve'))
  assert.throws(() => model.score({ ...lead, tenure: Infinity }), (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'finite'))
  assert.throws(() => model.score({ ...lead, partner: 'maybe' }), (e) => coded(e, 'INVALID_INPUT', '"partner"'))
  for (const bad of [null, undefined, 3, 'lead', [lead]]) {
    assert.throws(() => model.score(bad), (e) => coded(e, 'INVALID_INPUT', 'a lead must be an object'))
  }
  assert.throws(() => model.scoreBatch(lead), (e) => coded(e, 'INVALID_INPUT', 'must be an array'))
  assert.throws(() => model.scoreBatch([lead, 7]), (e) => coded(e, 'INVALID_INPUT', 'leads[1]'))
  assert.throws(() => model.scoreColumns({ tenure: new Float64Array([1, -Infinity]) }), (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'row 1', 'finite'))
  assert.throws(() => model.scoreColumns({ tenure: [1, 2] }), (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'Float64Array'))
  assert.throws(() => model.scoreColumns({ tenure: new Int32Array(2) }), (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'Float64Array'))
  assert.throws(
    () => model.scoreColumns({ contract: { codes: new Uint32Array([0, 2]), levels: ['One year', 'Two year'] } }),
    (e) => coded(e, 'INVALID_INPUT', '"contract"', 'codes[1] = 2'),
  )
  assert.throws(() => model.scoreColumns({ contract: { codes: [0], levels: ['x'] } }), (e) => coded(e, 'INVALID_INPUT', '"contract"', 'Uint32Array'))
  assert.throws(() => model.scoreColumns({ contract: { codes: new Uint32Array(1), levels: [3] } }), (e) => coded(e, 'INVALID_INPUT', '"contract"', 'levels[0]'))
  assert.throws(
    () => model.scoreColumns({ tenure: new Float64Array(2), contract: ['a'] }),
    (e) => coded(e, 'INVALID_INPUT', '"contract"', 'rows'),
  )
})

test('values map naturally: numeric strings, booleans, null/undefined/absent = missing', () => {
  const base = model.score(lead)
  assert.equal(model.score({ ...lead, tenure: '1' }), base)
  assert.equal(model.score({ ...lead, tenure: ' 1 ' }), base)
  assert.equal(model.score({ ...lead, partner: true }), model.score({ ...lead, partner: 1 }))
  assert.equal(model.score({ ...lead, partner: false }), model.score({ ...lead, partner: 'no' }))
  const { tenure, ...without } = lead
  assert.equal(tenure, 1)
  assert.equal(model.score({ ...lead, tenure: null }), model.score(without))
  assert.equal(model.score({ ...lead, tenure: undefined }), model.score(without))
  assert.equal(model.score({ ...lead, tenure: NaN }), model.score(without))
  assert.equal(model.score({ ...lead, unknown_field: 'x' }), base)
  assert.equal(model.score({ ...lead, total_charges: '29,85' }), base, 'decimal comma')
  // Strings of every length and script arrive whole (short ones take a fast path).
  for (const text of ['Два года', 'й'.repeat(124), 'й'.repeat(126), 'x'.repeat(250), 'x'.repeat(251), 'ü'.repeat(5000)]) {
    const e = model.explain({ ...lead, contract: text }, 100)
    const reason = [...e.positive, ...e.negative].find((r) => r.field === 'contract')
    assert.equal(reason.label, `contract = ${text} (other)`)
  }
  // Getters run; one that scores with the same model (re-entrant) gets its own answer.
  let inner
  const tricky = { ...lead, get tenure() { inner = model.score({ ...lead, tenure: 60 }); return 1 } }
  assert.equal(model.score(tricky), base)
  assert.equal(inner, model.score({ ...lead, tenure: 60 }))
  // A getter that throws: its own exception propagates, and the model still works.
  const boom = new TypeError('boom')
  assert.throws(() => model.score({ get tenure() { throw boom } }), (e) => e === boom)
  assert.equal(model.score(lead), base)
  assert.equal(model.score(new Proxy(lead, {})), base)
  // Inherited properties are read like own ones.
  assert.equal(model.score(Object.create(lead)), base)
})

test('MODEL_FORMAT and IO', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadscore-node-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  assert.throws(() => Model.fromBuffer(Buffer.from('not a model')), (e) => coded(e, 'MODEL_FORMAT', 'bad magic'))
  const bytes = fs.readFileSync(modelPath)
  const corrupt = Buffer.from(bytes)
  corrupt[corrupt.length - 1] ^= 0xff
  assert.throws(() => Model.fromBuffer(corrupt), (e) => coded(e, 'MODEL_FORMAT', 'checksum'))
  assert.throws(() => Model.fromBuffer(bytes.subarray(0, 20)), (e) => coded(e, 'MODEL_FORMAT', 'truncated'))
  const bad = path.join(dir, 'bad.lsm')
  fs.writeFileSync(bad, 'LSCMxx')
  assert.throws(() => Model.load(bad), (e) => coded(e, 'MODEL_FORMAT', 'bad.lsm'))
  assert.throws(() => Model.load(path.join(dir, 'missing.lsm')), (e) => coded(e, 'IO', 'missing.lsm'))
  assert.throws(() => model.save(path.join(dir, 'no', 'such', 'dir', 'm.lsm')), (e) => coded(e, 'IO'))
  // Arguments of the wrong type are INVALID_INPUT too, never napi-rs's own codes.
  assert.throws(() => Model.fromBuffer('LSCM'), (e) => coded(e, 'INVALID_INPUT', 'Buffer or Uint8Array', 'string'))
  assert.throws(() => Model.fromBuffer(new Float64Array(4)), (e) => coded(e, 'INVALID_INPUT', 'Buffer or Uint8Array'))
  assert.throws(() => Model.load(3), (e) => coded(e, 'INVALID_INPUT', 'path must be a string', 'number'))
  assert.throws(() => Model.load(), (e) => coded(e, 'INVALID_INPUT', 'path must be a string', 'undefined'))
  assert.throws(() => model.save({}), (e) => coded(e, 'INVALID_INPUT', 'path must be a string'))
  for (const k of [-1, 1.5, '3', 2n]) {
    assert.throws(() => model.explain(lead, k), (e) => coded(e, 'INVALID_INPUT', 'k must be a non-negative whole number'))
  }
  assert.equal(model.explain(lead, 0).positive.length, 0)
})

const rows = []
for (let i = 0; i < 60; i++) rows.push({ calls: i % 7, source: i % 3 ? 'web' : 'ads', won: i % 4 === 0 ? 'yes' : 'no' })

test('train() rejects with coded errors and never throws synchronously', async () => {
  const cases = [
    [() => train({ rows }, { target: 'nope' }), 'UNKNOWN_COLUMN', '"nope"'],
    [() => train({ rows }, { target: 'won', minRows: 1000 }), 'INSUFFICIENT_DATA', '60 rows'],
    [() => train({ rows }, { target: 'won', minRowz: 3 }), 'INVALID_INPUT', 'unknown option "minRowz"', 'minRows'],
    [() => train({ rows }, { target: 'won', c: 'big' }), 'INVALID_INPUT', '"c"'],
    [() => train({ rows }, { target: 'won', c: -1 }), 'INVALID_INPUT', 'c must be'],
    [() => train({ rows }, { target: 'won', balance: 'maybe' }), 'INVALID_INPUT', 'balance'],
    [() => train({ rows }, {}), 'INVALID_INPUT', '"target" is required'],
    [() => train({ rows }), 'INVALID_INPUT', '"target" is required'],
    [() => train({ rows }, 'won'), 'INVALID_INPUT', 'options must be an object'],
    [() => train({ rows: [...rows, { calls: 1n, won: 'no' }] }, { target: 'won' }), 'INVALID_INPUT', '"calls"', 'rows[60]'],
    [() => train({ rows: [...rows, { calls: { n: 1 }, won: 'no' }] }, { target: 'won' }), 'INVALID_INPUT', '"calls"'],
    [() => train({ rows: 'x' }, { target: 'won' }), 'INVALID_INPUT', 'rows must be an array'],
    [() => train({ csv: 3 }, { target: 'won' }), 'INVALID_INPUT', 'csv must be a file path'],
    [() => train({ tsv: 'a' }, { target: 'won' }), 'INVALID_INPUT', '{ csv: path } or { rows: [...] }'],
    [() => train(null, { target: 'won' }), 'INVALID_INPUT', '{ csv: path } or { rows: [...] }'],
    [() => train({ csv: '/no/such/file.csv' }, { target: 'won' }), 'IO', '/no/such/file.csv'],
  ]
  for (const [call, code, ...needles] of cases) {
    let p
    assert.doesNotThrow(() => {
      p = call()
    })
    assert.ok(p instanceof Promise)
    await assert.rejects(p, (e) => coded(e, code, ...needles))
  }
})

test('TRAINING: a training failure rejects with code TRAINING', async () => {
  // The solver no longer fails on any valid input (values too large to standardise
  // are INVALID_INPUT naming the field), so the documented test hook makes the task
  // fail with the core's training error to prove the path end to end.
  const rows = []
  for (let i = 0; i < 400; i++) rows.push({ x: i, y: i % 2 })
  process.env.LEADSCORE_NODE_TEST_PANIC = 'train:TRAINING'
  let p
  try {
    p = train({ rows }, { target: 'y', cv: 0, minRows: 1, minPositives: 1 })
  } finally {
    delete process.env.LEADSCORE_NODE_TEST_PANIC
  }
  await assert.rejects(p, (e) => coded(e, 'TRAINING', 'deliberate test failure'))
  const big = []
  for (let i = 0; i < 400; i++) big.push({ x: i < 200 ? -1e300 : 1e300, y: i < 200 ? 0 : 1 })
  await assert.rejects(
    train({ rows: big }, { target: 'y', cv: 0, minRows: 1, minPositives: 1 }),
    (e) => coded(e, 'INVALID_INPUT', '"x"', 'too large'),
  )
})

test('scoreBatchAsync rejects (not throws) on bad input', async () => {
  let p
  assert.doesNotThrow(() => {
    p = model.scoreBatchAsync([lead, { tenure: 2n }])
  })
  await assert.rejects(p, (e) => coded(e, 'INVALID_INPUT', '"tenure"', 'leads[1]'))
  await assert.rejects(model.scoreBatchAsync(42), (e) => coded(e, 'INVALID_INPUT'))
})

test('error classes: instanceof by code, on what the addon throws and rejects with', async () => {
  const ls = require('leadscore')
  let err
  try {
    model.score({ tenure: 'many' })
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof ls.LeadScoreError && err instanceof ls.InvalidInputError && err instanceof Error)
  assert.ok(!(err instanceof ls.NotFoundError) && !(err instanceof ls.ModelFormatError))
  await assert.rejects(train({ csv: '/no/such/file.csv' }, { target: 'y' }), (e) => e instanceof ls.IoError && e instanceof ls.LeadScoreError)
  assert.throws(() => Model.fromBuffer(new Uint8Array([1, 2, 3])), ls.ModelFormatError)
  // A plain Error, or one with another code, is not a LeadScoreError.
  assert.ok(!(new Error('x') instanceof ls.LeadScoreError))
  assert.ok(!(Object.assign(new Error('x'), { code: 'ENOENT' }) instanceof ls.LeadScoreError))
  // Constructed by hand, each class carries its code and name.
  const made = new ls.NotFoundError('no model for "acme"')
  assert.equal(made.code, 'NOT_FOUND')
  assert.equal(made.name, 'NotFoundError')
  assert.ok(made instanceof ls.LeadScoreError && made instanceof ls.NotFoundError)
  assert.equal(new ls.LeadScoreError('m', 'IO').code, 'IO')
  for (const [name, code] of Object.entries({ InvalidInputError: 'INVALID_INPUT', ModelFormatError: 'MODEL_FORMAT', InsufficientDataError: 'INSUFFICIENT_DATA', IoError: 'IO', UnknownColumnError: 'UNKNOWN_COLUMN', TrainingError: 'TRAINING', NotFoundError: 'NOT_FOUND', InternalError: 'INTERNAL' })) {
    assert.equal(ls[name].code, code)
  }
})
