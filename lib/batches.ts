// How many writes a run makes: entries that may share a write (same dataset and options, or same server session)
// are grouped, keeping their order, and each group is cut into batches; one batch is one transaction (or one
// request). Example → Add and Submit Answers plan the same way, so the rule lives here once.

/**
 * Batches of `entries`: grouped by `groupOf` (groups in order of first appearance, entries in input order), each
 * group cut into runs of at most `sizeOf(first entry of the group)` entries.
 */
export function planBatches<E, K>(entries: Iterable<E>, groupOf: (entry: E) => K, sizeOf: (entry: E) => number): E[][] {
	const groups = new Map<K, E[]>();
	for (const entry of entries) {
		const key = groupOf(entry);
		const group = groups.get(key);
		if (group) group.push(entry);
		else groups.set(key, [entry]);
	}
	const batches: E[][] = [];
	for (const group of groups.values()) {
		const size = Math.max(1, Math.floor(sizeOf(group[0])) || 1);
		for (let start = 0; start < group.length; start += size) batches.push(group.slice(start, start + size));
	}
	return batches;
}
