// Every cross-language fixture set (tests/fixtures/fixtures.json) through every path
// of the Node package -- score(), scoreDetailed(), explain(), scoreBatch() on leads
// and on columns, scoreBatchAsync(), a Store -- and trained again with train() from
// the set's data and options (the recipe included); the answers are checked by
// tests/conformance/check.py, as every binding's are.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { Model, Store, train } from 'leadscore'
import { repo, fixture } from './helpers.mjs'

const manifest = JSON.parse(readFileSync(fixture('fixtures.json'), 'utf8')).sets

function records (set) {
  return readFileSync(path.join(repo, set.records), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
}

async function answers (name, prefix, model, leads, dir) {
  const out = [
    { set: name, path: prefix + 'score', probabilities: leads.map((r) => model.score(r)) },
    { set: name, path: prefix + 'detailed', probabilities: leads.map((r) => model.scoreDetailed(r).probability) },
    { set: name, path: prefix + 'explain', explain_k3: leads.map((r) => model.explain(r, 3)) },
    { set: name, path: prefix + 'batch', probabilities: Array.from(model.scoreBatch(leads)) },
    { set: name, path: prefix + 'batch_async', probabilities: Array.from(await model.scoreBatchAsync(leads)) },
  ]
  const root = path.join(dir, `store-${name}-${prefix}`)
  const store = Store.open(root)
  store.save('acme', model)
  out.push({ set: name, path: prefix + 'store', probabilities: leads.map((r) => store.score('acme', r).probability) })
  store.close()
  return out
}

/** A bad-values fixture value as JavaScript's own: {"$number": "inf"} is Infinity. */
function native (v) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$number' in v) {
    return { inf: Infinity, '-inf': -Infinity, nan: NaN }[v.$number]
  }
  return v
}

/** tests/fixtures/bad_values.json through score() (the full path and the coded one),
 * scoreBatch() and a Store: the error code and message, or the probability beside that
 * of the same lead written plainly. */
function badValueAnswers (dir) {
  const doc = JSON.parse(readFileSync(fixture('fixtures.json'), 'utf8'))
  const spec = JSON.parse(readFileSync(path.join(repo, doc.bad_values), 'utf8'))
  const model = Model.load(path.join(repo, spec.model))
  const warm = Model.load(path.join(repo, spec.model))
  for (let i = 0; i < 10; i++) warm.score({})
  const store = Store.open(path.join(dir, 'store-bad-values'), { driftFlushInterval: null })
  store.save('acme', model)
  const paths = {
    score: (r) => Model.prototype.score.call(model, r),
    score_coded: (r) => warm.score(r),
    batch: (r) => model.scoreBatch([r])[0],
    store: (r) => store.score('acme', r).probability,
  }
  const lines = []
  for (const [p, f] of Object.entries(paths)) {
    const cases = spec.cases.map((c) => {
      const record = Object.fromEntries(Object.entries(c.record).map(([k, v]) => [k, native(v)]))
      const a = { name: c.name, code: null, message: null, probability: null, same_as_probability: null }
      try {
        a.probability = f(record)
      } catch (e) {
        a.code = e.code ?? 'THROWN'
        a.message = e.message
      }
      if (c.same_as) a.same_as_probability = f({ ...c.same_as })
      return a
    })
    lines.push({ set: 'bad_values', path: p, cases })
  }
  store.close()
  return lines
}

test('every fixture set answers alike on every path, trained again too', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leadscore-conformance-'))
  try {
    const lines = badValueAnswers(dir)
    for (const set of manifest) {
      const leads = records(set)
      lines.push(...await answers(set.name, '', Model.load(path.join(repo, set.model)), leads, dir))
      if (set.train) {
        const options = { ...set.train.options, target: set.train.target }
        if (set.train.recipe_file) options.recipe = readFileSync(path.join(repo, set.train.recipe_file), 'utf8')
        const model = await train({ csv: path.join(repo, set.train.data) }, options)
        lines.push(...await answers(set.name, 'trained_', model, leads, dir))
      }
    }
    const file = path.join(dir, 'node.jsonl')
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
    const out = execFileSync('python3', [path.join(repo, 'tests', 'conformance', 'check.py'), file, '--binding', 'node'], { encoding: 'utf8' })
    assert.match(out, /match/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('every fixture model gives its committed report, byte for byte', () => {
  for (const set of manifest) {
    const model = Model.load(path.join(repo, set.model))
    const want = readFileSync(path.join(repo, set.report))
    assert.ok(Buffer.from(model.reportHtml(), 'utf8').equals(want), set.name)
  }
  const model = Model.load(path.join(repo, manifest[manifest.length - 1].model))
  const compact = model.reportHtml({ compact: true, title: 'Acme' })
  assert.ok(compact.startsWith('<style>') && compact.includes('Acme') && !compact.includes('<html'))
  assert.equal(model.reportHtml(null), model.reportHtml())
  assert.throws(() => model.reportHtml({ compact: 1 }), (e) => e.code === 'INVALID_INPUT' && /"compact"/.test(e.message))
  assert.throws(() => model.reportHtml({ colour: 'red' }), (e) => e.code === 'INVALID_INPUT' && /unknown option "colour"/.test(e.message))
  assert.throws(() => model.reportHtml('compact'), (e) => e.code === 'INVALID_INPUT')
})
