import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema, Static } from '@sinclair/typebox';
import { TandemError, type ErrorCode } from '@tandem/protocol';

/** A schema compiled once, checking values and explaining the first problem in plain words. */
export class Validator<S extends TSchema> {
  readonly #check: TypeCheck<S>;

  constructor(schema: S) {
    this.#check = TypeCompiler.Compile(schema);
  }

  parse(value: unknown, code: ErrorCode = 'BAD_PARAMS'): Static<S> {
    if (this.#check.Check(value)) return value;
    const first = this.#check.Errors(value).First();
    const where = first?.path ? `${first.path}: ` : '';
    throw new TandemError(code, `${where}${first?.message ?? 'invalid value'}`);
  }
}
