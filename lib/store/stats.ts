// Counting answers as Prodigy's `stats` does, one task at a time: the store's getStats and the approval rules'
// facts read each example once and add it here, instead of each keeping its own tally.
import { toPlainJson } from '../json';
import type { AnswerCounts, DatasetInfo, DatasetStats, SessionStats, Task } from './types';
import { pyTruthy } from './values';

export type Answer = keyof AnswerCounts;

/** accept / reject / ignore: an answer Prodigy counts as such; anything else counts as none. */
export function answerOf(task: Task): Answer | null {
	const answer = task.answer;
	return answer === 'accept' || answer === 'reject' || answer === 'ignore' ? answer : null;
}

/** Answer counts, flags and the `_timestamp` range of the tasks added. */
export class AnswerTally implements AnswerCounts {
	total = 0;
	accept = 0;
	reject = 0;
	ignore = 0;
	none = 0;
	flagged = 0;
	firstTimestamp: number | null = null;
	lastTimestamp: number | null = null;

	add(task: Task): void {
		this.total++;
		const answer = answerOf(task);
		if (answer === null) this.none++;
		else this[answer]++;
		if (pyTruthy(task.flagged)) this.flagged++;
		const timestamp = toPlainJson(task._timestamp);
		if (typeof timestamp === 'number' && Number.isFinite(timestamp)) {
			if (this.firstTimestamp === null || timestamp < this.firstTimestamp) this.firstTimestamp = timestamp;
			if (this.lastTimestamp === null || timestamp > this.lastTimestamp) this.lastTimestamp = timestamp;
		}
	}
}

/** A dataset's stats, overall and per session, from its examples in link-id order. */
export class DatasetStatsAccumulator {
	private readonly overall = new AnswerTally();
	private readonly sessions = new Map<string, { annotator: string | null; tally: AnswerTally }>();
	private minLinkId: number | null = null;
	private maxLinkId: number | null = null;

	constructor(private readonly dataset: DatasetInfo) {}

	/** `session`: the session dataset holding the example, or its `_session_id`; undefined for none. */
	add(task: Task, linkId: number, session: string | undefined): void {
		this.minLinkId ??= linkId;
		this.maxLinkId = linkId;
		this.overall.add(task);
		if (session === undefined) return;
		let entry = this.sessions.get(session);
		if (!entry) {
			entry = { annotator: null, tally: new AnswerTally() };
			this.sessions.set(session, entry);
		}
		if (entry.annotator === null) {
			const annotator = task._annotator_id ?? task._session_id;
			if (typeof annotator === 'string') entry.annotator = annotator;
		}
		entry.tally.add(task);
	}

	result(): DatasetStats {
		const { total, accept, reject, ignore, none, flagged, firstTimestamp, lastTimestamp } = this.overall;
		const decided = accept + reject;
		const sessions: SessionStats[] = [...this.sessions.entries()].map(([session, { annotator, tally }]) => ({
			session,
			annotator,
			total: tally.total,
			accept: tally.accept,
			reject: tally.reject,
			ignore: tally.ignore,
			none: tally.none,
			flagged: tally.flagged,
			firstTimestamp: tally.firstTimestamp,
			lastTimestamp: tally.lastTimestamp,
		}));
		return {
			dataset: this.dataset.name,
			created: this.dataset.created,
			meta: this.dataset.meta,
			total,
			accept,
			reject,
			ignore,
			none,
			flagged,
			firstTimestamp,
			lastTimestamp,
			acceptRate: decided === 0 ? null : accept / decided,
			minLinkId: this.minLinkId,
			maxLinkId: this.maxLinkId,
			sessions: sessions.sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : 0)),
		};
	}
}
