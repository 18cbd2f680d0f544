// Packaging: ESM and CommonJS entry points, one version everywhere, typings.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as esm from 'leadscore'
import { repo } from './helpers.mjs'

const require = createRequire(import.meta.url)

test('ESM and CommonJS load the same binding', () => {
  const cjs = require('leadscore')
  for (const name of ['Model', 'train', 'version']) {
    assert.equal(typeof esm[name], 'function', `ESM export ${name}`)
    assert.equal(esm[name], cjs[name], `same ${name} in ESM and CommonJS`)
  }
  assert.equal(esm.default, cjs)
})

test('package.json, the Rust workspace and the native library share one version', () => {
  const pkg = JSON.parse(readFileSync(path.join(repo, 'bindings-node', 'package.json'), 'utf8'))
  const cargo = readFileSync(path.join(repo, 'Cargo.toml'), 'utf8')
  const ws = cargo.match(/\[workspace\.package\][^[]*?\nversion\s*=\s*"([^"]+)"/)
  assert.ok(ws, 'workspace version found in Cargo.toml')
  assert.equal(pkg.version, ws[1])
  assert.equal(esm.version(), pkg.version)
})

test('index.d.ts declares every runtime export with JSDoc', () => {
  const dts = readFileSync(path.join(repo, 'bindings-node', 'index.d.ts'), 'utf8')
  for (const name of Object.keys(require('leadscore')).filter((n) => !n.startsWith('__'))) {
    const re = new RegExp(`\\*/\\s*export declare (class|function) ${name}\\b`)
    assert.ok(re.test(dts), `${name} is declared with a JSDoc comment`)
  }
  for (const method of ['load', 'fromBuffer', 'save', 'toBuffer', 'score', 'scoreDetailed', 'explain', 'scoreBatch', 'scoreColumns', 'scoreBatchAsync', 'metrics', 'info', 'toJson']) {
    assert.ok(new RegExp(`\\*/\\s*(static )?${method}\\(`).test(dts), `Model.${method} has JSDoc`)
  }
})

test('the README example (examples/quickstart.mjs) runs', async () => {
  const { execFileSync } = await import('node:child_process')
  const out = execFileSync(process.execPath, [path.join(repo, 'bindings-node', 'examples', 'quickstart.mjs')], { cwd: repo, encoding: 'utf8' })
  assert.match(out, /^0\.2578/)
  assert.match(out, /INVALID_INPUT field "tenure"/)
})
