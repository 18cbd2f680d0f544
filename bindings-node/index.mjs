// ES module entry point: re-exports the CommonJS native binding (index.js, generated
// by @napi-rs/cli) so that `import { Model, train } from 'leadscore'` works.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const binding = require('./index.js')

export const { Model, Store, train, insights, search, version } = binding
export default binding
