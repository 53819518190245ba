// How many writes a run makes: entries that may share a write (same dataset and options, or same server session)
// are grouped, keeping their order, and each group is cut into batches; one batch is one transaction (or one
// request). Example → Add and Submit Answers plan and write the same way (nodes/shared/items.ts, mapItemsInBatches),
// so the rules live here once.

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

/**
 * Writes `batches` in order, one `write` call each. A batch that fails fails every item it carried, and no later
 * entry of those items is written: what an item wrote is always its first entries, never a hole in the middle
 * (a re-run with Skip Duplicates can then finish it). Entries of other items are still written. `failed` gets the
 * batch as it was sent and the items it stopped; when it throws, the run ends there.
 */
export async function writeBatches<E, I>(
	batches: Iterable<E[]>,
	itemOf: (entry: E) => I,
	write: (batch: E[]) => Promise<void>,
	failed: (batch: E[], error: unknown, items: I[]) => Promise<void> | void,
): Promise<void> {
	const stopped = new Set<I>();
	for (const planned of batches) {
		const batch = stopped.size ? planned.filter((entry) => !stopped.has(itemOf(entry))) : planned;
		if (batch.length === 0) continue;
		try {
			await write(batch);
		} catch (error) {
			const items = [...new Set(batch.map(itemOf))];
			for (const item of items) stopped.add(item);
			await failed(batch, error, items);
		}
	}
}
