// The train / dev split of an export: an input's side is decided by its input hash alone, so it stays on its side
// across versions, re-exports, filters and formats.
import { ProdigyInputError } from './errors';
import { murmurhash3_32 } from './murmurhash';

/** Buckets of the split: a dev share is honoured to 0.01 %. */
const SPLIT_BUCKETS = 10_000;

/** Largest dev share (percent): beyond half, "dev" would be the training set. */
export const MAX_DEV_SHARE = 50;

export function validateDevShare(percent: number): number {
	if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > MAX_DEV_SHARE) {
		throw new ProdigyInputError(`Dev share must be between 0 and ${MAX_DEV_SHARE} (percent), got ${String(percent)}`);
	}
	return percent;
}

/**
 * Whether an input goes to the dev side. Decided by the input hash alone, never by position or chance, so one input
 * stays on its side across versions and re-exports, and raising the share only moves inputs from train to dev. The
 * input hash is rehashed (MurmurHash3 of its decimal text) so that the split does not follow any pattern the raw
 * hash values may have.
 */
export function isDevInput(inputHash: number, devSharePercent: number): boolean {
	if (devSharePercent <= 0) return false;
	const bucket = (murmurhash3_32(String(inputHash)) >>> 0) % SPLIT_BUCKETS;
	return bucket < Math.round((devSharePercent / 100) * SPLIT_BUCKETS);
}
