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

test('every fixture set answers alike on every path, trained again too', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leadscore-conformance-'))
  try {
    const lines = []
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
