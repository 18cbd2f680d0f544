// Shared paths and fixtures for the tests.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const fixture = (...p) => path.join(repo, 'tests', 'fixtures', ...p)
export const modelPath = fixture('models', 'wa_churn_v1.lsm')
export const records = readFileSync(fixture('records', 'wa_churn.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))
export const expected = JSON.parse(readFileSync(fixture('expected', 'wa_churn_v1.json'), 'utf8'))
export const churnCsv = path.join(repo, 'examples', 'data', 'wa_churn.csv')

/** Asserts |a - b| <= tol with a message naming what is compared. */
export function close(assert, a, b, what, tol = 1e-12) {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (|diff| ${Math.abs(a - b)} > ${tol})`)
}
