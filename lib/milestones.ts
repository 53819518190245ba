// Milestones of the Prodigy Trigger: "a dataset reached N annotations" or "every N annotations". Pure: the trigger
// counts once when it starts, then adds what each poll reads, and asks this module which milestones were crossed.

/** A milestone rule's progress, as the trigger saves it between polls. */
export interface MilestoneProgress {
	/** Annotations counted so far (a count at start, then what each poll read). */
	count: number;
	/** Highest milestone already reached: it never fires again. */
	reached: number;
}

export type MilestoneRule = { type: 'target'; target: number } | { type: 'every'; every: number };

/** Where a count stands when the trigger starts: milestones already behind it never fire (no crossing happened). */
export function startMilestone(rule: MilestoneRule, count: number): MilestoneProgress {
	if (rule.type === 'target') return { count, reached: count >= rule.target ? rule.target : 0 };
	return { count, reached: Math.floor(count / rule.every) * rule.every };
}

export interface MilestoneCrossing {
	milestone: number;
	/** Index, among the annotations added this poll (in link-id order), of the one that reached the milestone. */
	offset: number;
}

/**
 * Adds `added` annotations and returns every milestone crossed, once each: a jump over several "every N" milestones
 * in one poll gives one crossing per milestone, and a target fires only the first time it is reached.
 */
export function advanceMilestone(
	rule: MilestoneRule,
	progress: MilestoneProgress,
	added: number,
): { progress: MilestoneProgress; crossings: MilestoneCrossing[] } {
	const count = progress.count + added;
	const crossings: MilestoneCrossing[] = [];
	let reached = progress.reached;
	if (rule.type === 'target') {
		if (reached < rule.target && count >= rule.target) {
			crossings.push({ milestone: rule.target, offset: Math.max(0, rule.target - progress.count - 1) });
			reached = rule.target;
		}
	} else {
		for (let milestone = reached + rule.every; milestone <= count; milestone += rule.every) {
			crossings.push({ milestone, offset: Math.max(0, milestone - progress.count - 1) });
			reached = milestone;
		}
	}
	return { progress: { count, reached }, crossings };
}
