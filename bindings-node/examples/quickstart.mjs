// Runnable example from the README: node bindings-node/examples/quickstart.mjs
// (from the repository root, after building the addon).
import { Model, train } from 'leadscore'

// Score with a saved model: raw lead in, probability out.
const model = Model.load('tests/fixtures/models/wa_churn_v1.lsm')
const lead = { tenure: 1, contract: 'Month-to-month', monthly_charges: '29,85', internet_service: 'DSL' }
console.log(model.score(lead)) // 0.2578...
console.log(model.scoreDetailed(lead)) // { probability, score: 1..99, label }
for (const r of model.explain(lead, 3).positive) console.log(`+${r.contribution.toFixed(2)} ${r.label}`)

// Train off the event loop (libuv pool); errors reject with err.code.
const fresh = await train({ csv: 'examples/data/wa_churn.csv' }, { target: 'churn', cv: 3, seed: 1 })
console.log(fresh.metrics().rocAuc, fresh.info().rows)

// Batch: an array of leads, or columns (fastest: dictionary-encoded categories).
console.log(await fresh.scoreBatchAsync([lead, { tenure: 60, contract: 'Two year' }]))
console.log(
  fresh.scoreColumns({
    tenure: new Float64Array([1, 60]),
    contract: { codes: new Uint32Array([0, 1]), levels: ['Month-to-month', 'Two year'] },
  }),
)

try {
  model.score({ tenure: 12n })
} catch (e) {
  console.log(e.code, e.message) // INVALID_INPUT field "tenure": a BigInt is not a field value; ...
}
