// The one filter rule (lib/store/filters.ts taskMatcher): what answer, flagged and session select, for the store's
// reads (Get Many / Count / Export) and the trigger's New Annotation alike.
import { taskFilter, taskMatcher } from '../../lib/store/filters';
import type { Task } from '../../lib/store/types';
import type { LinkRow } from '../../lib/store/values';

const row = (inSession?: unknown): LinkRow => ({ link_id: 1, example_id: 1, input_hash: 0, task_hash: 0, content: '', in_session: inSession });

describe('taskMatcher', () => {
	it('is undefined without a task filter', () => {
		expect(taskMatcher({})).toBeUndefined();
		expect(taskFilter({ afterLinkId: 3, limit: 2 })).toBeUndefined();
	});

	it("reads flagged with Python's truthiness, as prodigy db-out's eg.get('flagged')", () => {
		const flagged = taskMatcher({ flagged: true })!;
		const notFlagged = taskMatcher({ flagged: false })!;
		const truthy: unknown[] = [true, 1, -1, 0.5, 'yes', 'false', [0], { why: 'unclear' }];
		const falsy: unknown[] = [false, 0, '', null, [], {}, undefined];
		for (const value of truthy) {
			expect([value, flagged({ text: 'a', flagged: value } as Task)]).toEqual([value, true]);
			expect([value, notFlagged({ text: 'a', flagged: value } as Task)]).toEqual([value, false]);
		}
		for (const value of falsy) {
			expect([value, flagged({ text: 'a', flagged: value } as Task)]).toEqual([value, false]);
			expect([value, notFlagged({ text: 'a', flagged: value } as Task)]).toEqual([value, true]);
		}
		expect(flagged({ text: 'no flag key' })).toBe(false);
		expect(notFlagged({ text: 'no flag key' })).toBe(true);
	});

	it('selects answers by the task’s answer string; a task without one matches no answer filter', () => {
		const accepted = taskMatcher({ answer: ['accept', 'ignore'] })!;
		expect(accepted({ answer: 'accept' })).toBe(true);
		expect(accepted({ answer: 'ignore' })).toBe(true);
		expect(accepted({ answer: 'reject' })).toBe(false);
		expect(accepted({ text: 'unanswered' })).toBe(false);
		expect(taskMatcher({ answer: 'reject' })!({ answer: 'reject' })).toBe(true);
		// String(undefined) is "undefined": a filter on that word must not select unanswered tasks.
		expect(taskMatcher({ answer: ['undefined'] })!({ text: 'unanswered' })).toBe(false);
	});

	it('matches a session by _session_id / _annotator_id, by the name after the dataset when the dataset is known, or by the link', () => {
		const alexTask: Task = { text: 'a', _session_id: 'ner_news-alex', _annotator_id: 'ner_news-alex' };
		const annotatorOnly: Task = { text: 'b', _annotator_id: 'ner_news-alex' };
		const full = taskMatcher({ session: 'ner_news-alex' })!;
		expect(full(alexTask)).toBe(true);
		expect(full(annotatorOnly)).toBe(true);
		expect(full({ text: 'c', _session_id: 'ner_news-bea' })).toBe(false);

		const short = taskMatcher({ session: 'alex' })!;
		expect(short(alexTask)).toBe(false); // which dataset's alex is unknown without the dataset
		expect(short(alexTask, { dataset: 'ner_news' })).toBe(true);
		expect(short(annotatorOnly, { dataset: 'ner_news' })).toBe(true);
		expect(short(alexTask, { dataset: 'ner_web' })).toBe(false);
		// A db-in import carries no session id: linked to the session's dataset is enough.
		expect(short({ text: 'imported' }, { inSessionDataset: true })).toBe(true);
		expect(short({ text: 'imported' }, { inSessionDataset: false })).toBe(false);
	});

	it('combines filters: all must match', () => {
		const matches = taskMatcher({ answer: ['accept'], flagged: false, session: 'alex' })!;
		const base: Task = { answer: 'accept', _session_id: 'ner_news-alex' };
		expect(matches(base, { dataset: 'ner_news' })).toBe(true);
		expect(matches({ ...base, flagged: 1 }, { dataset: 'ner_news' })).toBe(false);
		expect(matches({ ...base, answer: 'reject' }, { dataset: 'ner_news' })).toBe(false);
		expect(matches({ ...base, _session_id: 'ner_news-bea' }, { dataset: 'ner_news' })).toBe(false);
	});

	it('taskFilter applies the rule to a scanned row: its in_session column and the read’s dataset', () => {
		const flagged = taskFilter({ flagged: true })!;
		expect(flagged({ flagged: 1 }, row())).toBe(true);
		const session = taskFilter({ session: 'ner_news-alex' })!;
		expect(session({ text: 'imported' }, row(1))).toBe(true);
		expect(session({ text: 'imported' }, row('0'))).toBe(false);
		expect(session({ _session_id: 'ner_news-alex' }, row(0))).toBe(true);
		expect(taskFilter({ session: 'alex' }, 'ner_news')!({ _session_id: 'ner_news-alex' }, row(0))).toBe(true);
	});
});
