// search(): off the event loop, the result with camelCase keys, refit gives a Model,
// options checked by the core and named.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Model, search } from 'leadscore'
import { churnCsv } from './helpers.mjs'

test('search({ csv }) resolves to every trial and the best; refit adds the model', async () => {
  const opts = { target: 'churn', method: 'tpe', trials: 4, tpeStartup: 2, cv: 2, penalty: 'l2', c: [0.01, 10], balance: ['none', 'upsample'] }
  const r = await search({ csv: churnCsv }, opts)
  assert.equal(r.method, 'tpe')
  assert.equal(r.trials.length, 4)
  assert.equal(r.trialsRun, 4)
  assert.equal(r.budgetExhausted, false)
  assert.equal(r.model, undefined)
  for (const t of r.trials) {
    assert.equal(t.error, null)
    assert.equal(t.params.penalty, 'l2')
    assert.ok(t.params.c >= 0.01 && t.params.c <= 10, String(t.params.c))
    assert.ok(t.rocAuc <= r.best.rocAuc)
    assert.equal(typeof t.logLoss, 'number')
  }
  const again = await search({ csv: churnCsv }, { ...opts, refit: true, insights: false })
  assert.deepEqual(again.trials.map((t) => t.params), r.trials.map((t) => t.params))
  assert.ok(again.model instanceof Model)
  assert.equal(again.model.info().balance, again.best.params.balance)
  assert.ok(Math.abs(again.model.metrics().rocAuc - again.best.rocAuc) < 1e-12)
})

test('search({ rows }) with a grid; failures reject with coded errors', async () => {
  const rows = Array.from({ length: 300 }, (_, i) => ({ calls: i % 17, noise: (i * 7) % 5, won: (i % 17) > 8 !== (i % 11 === 0) }))
  const base = { target: 'won', cv: 2, minRows: 50, minPositives: 10 }
  const r = await search({ rows }, { ...base, method: 'grid', trials: 50, penalty: 'l2', balance: 'none', c: [0.1, 10], bins: 10 })
  assert.equal(r.stopped, 'grid_done')
  assert.equal(r.gridSize, 6)
  assert.equal(r.trials.length, 6)
  await assert.rejects(search({ rows }, { ...base, trials: 0 }), (e) => e.code === 'INVALID_INPUT' && /"trials" must be from 1 to 10000/.test(e.message))
  await assert.rejects(search({ rows }, { ...base, budgetSeconds: 0 }), (e) => e.code === 'INVALID_INPUT' && /budget_seconds/.test(e.message))
  await assert.rejects(search({ rows }, { ...base, method: 'bayes' }), (e) => e.code === 'INVALID_INPUT' && /unknown search method/.test(e.message))
  await assert.rejects(search({ rows }, { ...base, target: 'nope' }), (e) => e.code === 'UNKNOWN_COLUMN')
  await assert.rejects(search({ rows }, { target: 'won' }), (e) => e.code === 'INSUFFICIENT_DATA')
  await assert.rejects(search({ nope: 1 }, base), (e) => e.code === 'INVALID_INPUT')
})
