// Milestone and stall rules of the trigger (lib/milestones.ts, lib/stalls.ts): fire once per crossing / per stall.
import { advanceMilestone, startMilestone } from '../../lib/milestones';
import { advanceStall, startStall } from '../../lib/stalls';

describe('milestones', () => {
	it('fires a target once, at the annotation that reached it', () => {
		const rule = { type: 'target' as const, target: 100 };
		let progress = startMilestone(rule, 95);
		let step = advanceMilestone(rule, progress, 3);
		expect(step.crossings).toEqual([]);
		progress = step.progress;
		step = advanceMilestone(rule, progress, 10);
		expect(step.crossings).toEqual([{ milestone: 100, offset: 1 }]);
		step = advanceMilestone(rule, step.progress, 50);
		expect(step.crossings).toEqual([]);
		expect(step.progress).toEqual({ count: 158, reached: 100 });
	});

	it('never fires a target already reached when the trigger started', () => {
		const rule = { type: 'target' as const, target: 10 };
		expect(advanceMilestone(rule, startMilestone(rule, 12), 5).crossings).toEqual([]);
	});

	it('fires every N once per multiple crossed, also several in one poll', () => {
		const rule = { type: 'every' as const, every: 10 };
		const progress = startMilestone(rule, 27);
		expect(progress.reached).toBe(20);
		const step = advanceMilestone(rule, progress, 25);
		expect(step.crossings).toEqual([
			{ milestone: 30, offset: 2 },
			{ milestone: 40, offset: 12 },
			{ milestone: 50, offset: 22 },
		]);
		expect(advanceMilestone(rule, step.progress, 0).crossings).toEqual([]);
	});
});

describe('stalls', () => {
	const rule = { idleMs: 1000, target: null };

	it('fires once per stall and re-arms only after activity', () => {
		let progress = startStall(0, null);
		const fires: number[] = [];
		for (const [now, added] of [
			[500, 0],
			[1000, 0],
			[1500, 0],
			[1600, 2],
			[2000, 0],
			[2600, 0],
			[9000, 0],
		]) {
			const step = advanceStall(rule, progress, added, now);
			if (step.fire) fires.push(now);
			progress = step.progress;
		}
		expect(fires).toEqual([1000, 2600]);
	});

	it('stays quiet once the target is reached', () => {
		const targeted = { idleMs: 1000, target: 5 };
		let step = advanceStall(targeted, startStall(0, 3), 2, 10);
		expect(step.progress.count).toBe(5);
		step = advanceStall(targeted, step.progress, 0, 5000);
		expect(step.fire).toBe(false);
		expect(advanceStall(targeted, startStall(0, 4), 0, 5000).fire).toBe(true);
	});
});
