import { TandemError } from './errors.js';

/** Test kit (not built, not shipped): what a promise ends in: 'resolved', or the TandemError code it rejected with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof TandemError ? error.code : `not a TandemError: ${String(error)}`;
  }
  return 'resolved';
}
