// The addon works in worker threads (each has its own N-API environment), and a
// worker's exit does not disturb the main thread's models.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { Model } from 'leadscore'
import { modelPath, records } from './helpers.mjs'

test('worker threads score like the main thread', async () => {
  const model = Model.load(modelPath)
  const want = Array.from(model.scoreBatch(records))
  const src = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { Model } = require('leadscore')
    const m = Model.load(workerData.modelPath)
    parentPort.postMessage({ one: workerData.records.map((r) => m.score(r)), batch: Array.from(m.scoreBatch(workerData.records)) })
  `
  for (let round = 0; round < 3; round++) {
    const got = await new Promise((resolve, reject) => {
      const w = new Worker(src, { eval: true, workerData: { modelPath, records } })
      w.once('message', resolve)
      w.once('error', reject)
    })
    assert.deepEqual(got.one, want)
    assert.deepEqual(got.batch, want)
    assert.deepEqual(Array.from(model.scoreBatch(records)), want)
    assert.equal(model.score(records[0]), want[0])
  }
})
