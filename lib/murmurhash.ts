// MurmurHash3 x86 32-bit, the function behind Prodigy's `murmurhash.hash(string)` (explosion/murmurhash):
// the string's UTF-8 bytes, seed 0, result as a SIGNED int32 (that is what Prodigy stores).

const utf8 = new TextEncoder();

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function murmurhash3_32(data: string | Uint8Array, seed = 0): number {
	const bytes = typeof data === 'string' ? utf8.encode(data) : data;
	return murmurhash3_32Bytes(bytes, bytes.length, seed);
}

/** The hash of the first `length` bytes: hashes a reused buffer's content without copying it out. */
export function murmurhash3_32Bytes(bytes: Uint8Array, length: number, seed = 0): number {
	const blockEnd = length & ~3;
	let h = seed | 0;

	for (let i = 0; i < blockEnd; i += 4) {
		let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
		k = Math.imul(k, C1);
		k = (k << 15) | (k >>> 17);
		k = Math.imul(k, C2);
		h ^= k;
		h = (h << 13) | (h >>> 19);
		h = (Math.imul(h, 5) + 0xe6546b64) | 0;
	}

	let k = 0;
	switch (length & 3) {
		case 3:
			k ^= bytes[blockEnd + 2] << 16;
		// falls through
		case 2:
			k ^= bytes[blockEnd + 1] << 8;
		// falls through
		case 1:
			k ^= bytes[blockEnd];
			k = Math.imul(k, C1);
			k = (k << 15) | (k >>> 17);
			k = Math.imul(k, C2);
			h ^= k;
	}

	h ^= length;
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h | 0;
}
