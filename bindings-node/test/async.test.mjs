// Training and batch scoring run on the libuv pool: the event loop keeps running,
// and a panic inside a task rejects its Promise instead of leaving it pending.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Model, train, insights } from 'leadscore'
import { readFileSync } from 'node:fs'
import { churnCsv, fixture, modelPath, records } from './helpers.mjs'

test('train({ csv }) runs off the event loop: a timer keeps firing', async () => {
  let ticks = 0
  let last = performance.now()
  let maxGap = 0
  const timer = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
    ticks++
  }, 5)
  // Trainings one after another until at least 300 ms of work, however fast the machine.
  const t0 = performance.now()
  const tick0 = ticks
  let model
  let fits = 0
  do {
    model = await train({ csv: churnCsv }, { target: 'churn', cv: 5, seed: 7 })
    fits++
  } while (performance.now() - t0 < 300)
  const elapsed = performance.now() - t0
  clearInterval(timer)
  const during = ticks - tick0
  // Had training blocked the loop, each await would resume in a microtask and no
  // timer could have run until the loop ended.
  assert.ok(during >= 10, `${during} timer ticks during ${elapsed.toFixed(0)} ms of ${fits} trainings`)
  assert.ok(maxGap < Math.max(500, elapsed / 2), `longest gap between ticks ${maxGap.toFixed(0)} ms of ${elapsed.toFixed(0)} ms`)
  const m = model.metrics()
  assert.equal(m.cvFolds, 5)
  assert.ok(m.rocAuc > 0.8, `cross-validated ROC AUC ${m.rocAuc}`)
  assert.equal(model.info().rows, 7043)
  // Trained with the first release's auto recipe at c = 1 (and the default seed of
  // the upsampling), it is the golden model again.
  const recipe = readFileSync(fixture('recipes', 'wa_churn_v1_auto.recipe'), 'utf8')
  const again = await train({ csv: churnCsv }, { target: 'churn', cv: 0, c: 1, recipe })
  const golden = Model.load(modelPath)
  const a = again.scoreBatch(records)
  const b = golden.scoreBatch(records)
  a.forEach((p, i) => assert.ok(Math.abs(p - b[i]) < 1e-7, `record ${i}: ${p} vs ${b[i]}`))
})

test('train({ rows }) with camelCase options gives a working model', async () => {
  const rows = []
  for (let i = 0; i < 400; i++) {
    const calls = i % 9
    rows.push({ calls, source: ['web', 'ads', 'referral'][i % 3], has_phone: i % 2 === 0, amount: String(100 + i), won: (calls > 5) !== (i % 17 === 0) ? 'won' : 'lost' })
  }
  const model = await train({ rows }, { target: 'won', positive: 'won', balance: 'none', c: 2, minRows: 100, minPositives: 10, cv: 3, seed: 1, maxIter: 200, minCount: 1, kinds: { source: 'categorical' }, threads: 1 })
  const info = model.info()
  assert.equal(info.positiveLabel, 'won')
  assert.equal(info.balance, 'none')
  assert.equal(info.c, 2)
  assert.equal(info.seed, 1)
  assert.ok(model.score({ calls: 8, source: 'web' }) > model.score({ calls: 0, source: 'web' }))
  // Identical inputs train identical models (seeded).
  const again = await train({ rows }, { target: 'won', positive: 'won', balance: 'none', c: 2, minRows: 100, minPositives: 10, cv: 3, seed: 1, maxIter: 200, minCount: 1, kinds: { source: 'categorical' }, threads: 1 })
  assert.equal(again.score({ calls: 3, source: 'ads' }), model.score({ calls: 3, source: 'ads' }))
})

test('many concurrent tasks all settle', async () => {
  const model = Model.load(modelPath)
  const big = Array.from({ length: 2000 }, (_, i) => records[i % records.length])
  const results = await Promise.all(Array.from({ length: 16 }, () => model.scoreBatchAsync(big)))
  const want = model.scoreBatch(big)
  for (const r of results) assert.deepEqual(r, want)
})

test('a panic inside a task rejects its Promise with code INTERNAL', async () => {
  // The hidden test hook (documented in bindings-node/src/train.rs and the README):
  // read when a task is created, only for this exact variable and value.
  const model = Model.load(modelPath)
  process.env.LEADSCORE_NODE_TEST_PANIC = 'train'
  let p
  try {
    p = train({ rows: [{ x: 1, y: 0 }, { x: 2, y: 1 }] }, { target: 'y' })
  } finally {
    delete process.env.LEADSCORE_NODE_TEST_PANIC
  }
  await assert.rejects(p, (e) => e instanceof Error && e.code === 'INTERNAL' && /panic in train/.test(e.message))

  process.env.LEADSCORE_NODE_TEST_PANIC = 'scoreBatchAsync'
  try {
    p = model.scoreBatchAsync(records)
  } finally {
    delete process.env.LEADSCORE_NODE_TEST_PANIC
  }
  await assert.rejects(p, (e) => e instanceof Error && e.code === 'INTERNAL' && /panic in scoreBatchAsync/.test(e.message))

  // The addon is still healthy afterwards.
  assert.equal((await model.scoreBatchAsync(records)).length, records.length)
  const again = await train({ rows: Array.from({ length: 100 }, (_, i) => ({ x: i, y: i % 2 })) }, { target: 'y', minRows: 10, minPositives: 5, cv: 0 })
  assert.ok(again.score({ x: 3 }) > 0)
})

test('penalty, l1Ratio, maxFeatures and maxModelBytes reach the core and the model reports them', async () => {
  const rows = Array.from({ length: 600 }, (_, i) => ({
    a: (i * 7919) % 101, b: (i * 104729) % 97, c: (i * 31) % 13, noise: (i * 7) % 5,
    won: ((i * 7919) % 101) + ((i * 31) % 13) * 3 > 70 ? 'won' : 'lost'
  }))
  const base = { target: 'won', positive: 'won', minRows: 100, minPositives: 10, cv: 3, threads: 1 }
  const l1 = await train({ rows }, { ...base, penalty: 'l1', c: 0.05, cv: 0 })
  assert.equal(l1.info().penalty, 'l1')
  assert.equal(l1.info().l1Ratio, 1)
  const en = await train({ rows }, { ...base, penalty: 'elasticnet', l1Ratio: 0.3, cv: 0 })
  assert.equal(en.info().l1Ratio, 0.3)
  const pruned = await train({ rows }, { ...base, maxFeatures: 3 })
  const p = pruned.info().pruning
  assert.equal(p.maxFeatures, 3)
  assert.ok((p.featuresAfter) <= 3)
  assert.ok((p.cvRocAucBefore) > 0.5)
  const sized = await train({ rows }, { ...base, maxModelBytes: 100000000 })
  const s = sized.info().pruning
  assert.equal(s.maxModelBytes, 100000000)
  assert.equal(s.modelBytes, sized.toBuffer().length)
  assert.equal(s.droppedCount, 0)
  await assert.rejects(train({ rows }, { ...base, maxModelBytes: 100 }), /max_model_bytes = 100 is less than the smallest model/)
  await assert.rejects(train({ rows }, { ...base, l1Ratio: 0.5 }), /l1_ratio is for penalty elasticnet/)
})

test('threshold policies and the time split reach the core; evaluation() shows them', async () => {
  const rows = Array.from({ length: 600 }, (_, i) => ({
    a: (i * 7919) % 101, b: (i * 104729) % 97, noise: (i * 7) % 5,
    day: `2024-${String(1 + Math.floor(i / 50)).padStart(2, '0')}-15`,
    won: ((i * 7919) % 101) + ((i * 31) % 13) * 3 > 70 ? 'won' : 'lost'
  }))
  const base = { target: 'won', positive: 'won', minRows: 100, minPositives: 10, cv: 3, threads: 1, insights: false }
  const top = await train({ rows }, { ...base, threshold: 'top_share=0.2', kinds: { day: 'id' }, challenger: true })
  assert.equal(typeof top.evaluation().challenger.verdict, 'string')
  assert.ok(top.evaluation().challenger.topFeatures.length > 0)
  const e = top.evaluation()
  assert.equal(e.split, 'kfold')
  assert.equal(e.policy, 'top_share=0.2')
  assert.equal(e.threshold, top.threshold)
  assert.ok(Math.abs(e.atThreshold.shareFlagged - 0.2) < 0.02, JSON.stringify(e.atThreshold))
  assert.ok(e.thresholds.length >= 2 && typeof e.thresholds[0].flaggedPer1000 === 'number')
  assert.equal(top.info().thresholdPolicy, 'top_share=0.2')
  const timed = await train({ rows }, { ...base, timeColumn: 'day', testShare: 0.25 })
  assert.equal(timed.evaluation().split, 'time')
  assert.equal(timed.evaluation().testFrom, '2024-10-15')
  assert.ok(!timed.inputNames.includes('day'))
  assert.equal((await train({ rows }, { ...base, cv: 0 })).evaluation(), null)
  await assert.rejects(train({ rows }, { ...base, cv: 0, threshold: 'max_f1' }), (e) => e.code === 'INVALID_INPUT' && /held-out/.test(e.message))
})

test('insights() of a file and of rows, and the ones a model stores', async () => {
  const csv = churnCsv
  const ins = await insights({ csv }, { target: 'churn', bins: 5, topLevels: 3 })
  const names = ins.columns.map((c) => c.name)
  assert.ok(names.slice(0, 6).includes('tenure') && names.slice(0, 6).includes('contract'), names.join())
  const tenure = ins.columns.find((c) => c.name === 'tenure')
  assert.ok(tenure.association.rocAuc < 0.4 && tenure.association.higherIsPositive === false && typeof tenure.association.kendallTauB === 'number')
  assert.ok(tenure.numeric.histogram.bins.length <= 6)
  assert.equal(ins.summary.rows, 7043)
  const rows = Array.from({ length: 300 }, (_, i) => ({ calls: i % 17, copy: i % 17 > 8, won: i % 17 > 8 }))
  const leak = await insights({ rows }, { target: 'won' })
  assert.ok(leak.warnings.some((w) => w.column === 'copy' && w.code === 'leak'), JSON.stringify(leak.warnings))
  await assert.rejects(insights({ csv }, { target: 'churn', bins: 1 }), (e) => e.code === 'INVALID_INPUT' && /bins/.test(e.message))
  await assert.rejects(insights({ csv }, { target: 'nope' }), (e) => e.code === 'UNKNOWN_COLUMN')
  const model = await train({ csv }, { target: 'churn', cv: 0 })
  assert.equal(model.insights().summary.rows, 7043)
  assert.equal((await train({ csv }, { target: 'churn', cv: 0, insights: false })).insights(), null)
  assert.deepEqual(Model.fromBuffer(model.toBuffer()).insights(), model.insights())
})
