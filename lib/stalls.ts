// Stalls of the Prodigy Trigger: "no new annotation in a dataset for X minutes (while below an optional target)".
// Pure: activity is a new annotation seen by a poll, timed by the poll that saw it (the trigger's own clock, so
// annotator or database clocks never matter; precision is one poll interval).

/** A stall rule's progress, as the trigger saves it between polls. */
export interface StallProgress {
	/** When a poll last saw a new annotation (or the trigger started), epoch ms. */
	lastActivityAt: number;
	/** A stall fired and no annotation arrived since. */
	stalled: boolean;
	/** Annotations in the dataset, tracked only when a target is set. */
	count: number | null;
}

export interface StallRule {
	idleMs: number;
	/** Only report stalls while the dataset has fewer annotations than this (null: always). */
	target: number | null;
}

export function startStall(now: number, count: number | null): StallProgress {
	return { lastActivityAt: now, stalled: false, count };
}

/**
 * Records what a poll saw and says whether a stall fires now. A stall fires once; it re-arms only after new
 * activity, so a dataset idle for days gives one item, not one per poll.
 */
export function advanceStall(
	rule: StallRule,
	progress: StallProgress,
	added: number,
	now: number,
): { progress: StallProgress; fire: boolean } {
	let { lastActivityAt, stalled, count } = progress;
	if (added > 0) {
		lastActivityAt = now;
		stalled = false;
		if (count !== null) count += added;
	}
	const belowTarget = rule.target === null || count === null || count < rule.target;
	const fire = !stalled && belowTarget && now - lastActivityAt >= rule.idleMs;
	if (fire) stalled = true;
	return { progress: { lastActivityAt, stalled, count }, fire };
}
