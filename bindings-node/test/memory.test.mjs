// A create/score/drop loop of 1,000,000 iterations keeps RSS flat: models, leads
// and results are all released. The loop yields to the event loop every 1,000
// iterations as a server does between requests: N-API finalizers (which free the
// native models) run from the event loop, not inside a synchronous loop.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Model } from 'leadscore'
import { modelPath, records } from './helpers.mjs'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')

/** Lets pending finalizers run (after a full collection when `full`). */
async function settle(full) {
  if (full) gc()
  for (let i = 0; i < (full ? 3 : 1); i++) await new Promise((r) => setImmediate(r))
}

test('1,000,000 x (create a model, score, drop it) keeps RSS flat', async (t) => {
  const bytes = readFileSync(modelPath)
  const N = 1_000_000
  const WARMUP = 100_000
  let sum = 0
  let base = 0
  const mb = () => process.memoryUsage().rss / 2 ** 20
  for (let i = 0; i < N; i++) {
    const model = Model.fromBuffer(bytes)
    sum += model.score(records[i % records.length])
    if (i % 1000 === 999) sum += model.scoreBatch(records.slice(0, 4))[0]
    if (i % 1000 === 999) await settle(false)
    if (i === WARMUP) {
      await settle(true)
      base = mb()
    }
  }
  await settle(true)
  const end = mb()
  t.diagnostic(`RSS after warm-up ${base.toFixed(1)} MB, at the end ${end.toFixed(1)} MB`)
  assert.ok(Number.isFinite(sum) && sum > 0)
  assert.ok(end - base < 32, `RSS grew from ${base.toFixed(1)} MB to ${end.toFixed(1)} MB over ${N - WARMUP} iterations`)
})
