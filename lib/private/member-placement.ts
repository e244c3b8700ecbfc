import { createHash } from 'crypto';

/**
 * The nested stack of an MfaTeam member: it depends on the member's own user name only, so adding or removing other
 * members never moves it.
 *
 * It is the jump consistent hash of the first 8 bytes of the SHA-256 of the lower-cased user name (IAM user names are
 * unique case-insensitively): going from n to n + 1 stacks moves only the members that land in the new stack, about
 * 1 / (n + 1) of them.
 */
export function memberStackIndex(userName: string, stacks: number): number {
  return jumpHash(memberKey(userName), stacks);
}

/** The 64-bit key of a member for `jumpHash`: the first 8 bytes of the SHA-256 of the lower-cased user name. */
export function memberKey(userName: string): bigint {
  return BigInt(`0x${createHash('sha256').update(userName.toLowerCase()).digest('hex').slice(0, 16)}`);
}

/**
 * Lamping and Veach's jump consistent hash of a 64-bit key into `buckets` buckets.
 * @see https://arxiv.org/abs/1406.2294
 */
export function jumpHash(key: bigint, buckets: number): number {
  let bucket = -1;
  let next = 0;
  while (next < buckets) {
    bucket = next;
    key = BigInt.asUintN(64, key * 2862933555777941757n + 1n);
    next = Math.floor((bucket + 1) * (2 ** 31 / (Number(key / 2n ** 33n) + 1)));
  }
  return bucket;
}
