import { TandemError } from '@tandem/protocol';

/** What a promise ends in: 'resolved', or the TandemError code it rejected with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof TandemError ? error.code : `not a TandemError: ${String(error)}`;
  }
  return 'resolved';
}
