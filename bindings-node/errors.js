'use strict'
// Error classes for `instanceof`. The native addon throws (and rejects with) plain
// `Error`s whose `code` names what went wrong; each class here recognises its code
// through `Symbol.hasInstance`, so `err instanceof InvalidInputError` works on them
// without wrapping any call (scoring stays one native call).

const CODES = {
  INVALID_INPUT: 'InvalidInputError',
  MODEL_FORMAT: 'ModelFormatError',
  INSUFFICIENT_DATA: 'InsufficientDataError',
  IO: 'IoError',
  UNKNOWN_COLUMN: 'UnknownColumnError',
  TRAINING: 'TrainingError',
  NOT_FOUND: 'NotFoundError',
  INTERNAL: 'InternalError',
}

/** Any error leadscore throws or rejects with: an `Error` with one of the codes. */
class LeadScoreError extends Error {
  constructor(message, code) {
    super(message)
    this.code = code ?? new.target.code ?? 'INTERNAL'
    this.name = new.target.name
  }

  static [Symbol.hasInstance](value) {
    if (!(value instanceof Error) || typeof value.code !== 'string') return false
    return this.code === undefined ? Object.hasOwn(CODES, value.code) : value.code === this.code
  }
}

const classes = { LeadScoreError }
for (const [code, name] of Object.entries(CODES)) {
  // A named subclass per code (`class InvalidInputError extends LeadScoreError`).
  const cls = { [name]: class extends LeadScoreError {} }[name]
  Object.defineProperty(cls, 'code', { value: code, enumerable: true })
  classes[name] = cls
}

module.exports = classes
