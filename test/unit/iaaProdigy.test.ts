// Prodigy's metric.iaa.* rules over Prodigy answers: the published worked examples (see iaaCoefficients.test.ts for
// their sources) written as the answers Prodigy would store, plus the unit rules (grouping by _input_hash, one
// _view_id, ignored / rejected answers, annotator ids).
import * as lib from '../../lib';
import { setHashes } from '../../lib/hashing';
import { IaaAccumulator, binaryAgreement, docAgreement, spanAgreement } from '../../lib/iaa';
import type { Task } from '../../lib/store/types';

const _ = null;
const fixed = (value: number | null | undefined, digits = 4): string | null => (value === null || value === undefined ? null : value.toFixed(digits));

/** One answer per (row, annotator) of a reliability table; `answer` builds the judgement from the cell. */
function answersOf<T>(table: ReadonlyArray<ReadonlyArray<T | null>>, answer: (value: T) => Task, dataset = 'news'): Task[] {
	const tasks: Task[] = [];
	table.forEach((row, unit) => {
		row.forEach((value, annotator) => {
			if (value === null) return;
			const name = `${dataset}-annotator${annotator + 1}`;
			tasks.push(setHashes({ text: `Text number ${unit + 1}`, ...answer(value), _session_id: name, _annotator_id: name }));
		});
	});
	return tasks;
}

// Gwet, Handbook (4th ed.), p. 120 / Krippendorff (2004), p. 230: 4 raters, 12 subjects, categories 1-5.
const raw4raters = [
	[1, 1, _, 1],
	[2, 2, 3, 2],
	[3, 3, 3, 3],
	[3, 3, 3, 3],
	[2, 2, 2, 2],
	[1, 2, 3, 4],
	[4, 4, 4, 4],
	[1, 1, 2, 1],
	[2, 2, 2, 2],
	[_, 5, 5, 5],
	[_, _, 1, 1],
	[_, _, 3, _],
];
// Krippendorff (2004), p. 224: 2 observers, 10 units, binary.
const binary = [
	[1, 0],
	[1, 1],
	[0, 1],
	[0, 0],
	[0, 0],
	[0, 1],
	[0, 0],
	[0, 1],
	[0, 0],
	[0, 0],
];

const choice = (label: string, view = 'choice'): Task => ({
	options: ['1', '2', '3', '4', '5'].map((id) => ({ id, text: `Option ${id}` })),
	accept: [label],
	answer: 'accept',
	_view_id: view,
});

describe('metric.iaa.binary', () => {
	const tasks = answersOf(binary, (value) => ({ label: 'SPORTS', answer: value === 1 ? 'accept' : 'reject', _view_id: 'classification' }));

	it("reproduces Krippendorff's binary example from accept / reject answers: alpha 0.0952, percent agreement 0.6", () => {
		const result = binaryAgreement(tasks);
		expect(result.metric).toBe('binary');
		expect(fixed(result.percentAgreement)).toBe('0.6000');
		expect(fixed(result.krippendorffAlpha)).toBe('0.0952');
		expect(result.gwetAC2).toBeCloseTo(lib.reliabilityCoefficients(binary).gwetAC2 as number, 12);
		expect(result.stats).toMatchObject({
			examples: 10,
			coincidentExamples: 10,
			singleAnnotationExamples: 0,
			annotators: 2,
			annotatorIds: ['news-annotator1', 'news-annotator2'],
			avgAnnotationsPerExample: 2,
			categories: 2,
			viewIds: ['classification'],
		});
	});

	it('leaves out ignored and unanswered tasks, and answers without an annotator or an input hash', () => {
		const noise: Task[] = [
			setHashes({ text: 'Text number 1', label: 'SPORTS', answer: 'ignore', _annotator_id: 'news-annotator3', _view_id: 'classification' }),
			setHashes({ text: 'Text number 2', label: 'SPORTS', _view_id: 'classification' }),
			setHashes({ text: 'Text number 3', label: 'SPORTS', answer: 'accept', _view_id: 'classification' }),
			{ text: 'Text number 4', label: 'SPORTS', answer: 'reject', _annotator_id: 'news-annotator3', _view_id: 'classification' },
		];
		const result = binaryAgreement([...tasks, ...noise]);
		expect(fixed(result.krippendorffAlpha)).toBe('0.0952');
		expect(result.stats.skipped).toMatchObject({ ignored: 1, unanswered: 1, noAnnotator: 1, noHash: 1, replaced: 0 });
		expect(result.stats.annotators).toBe(2);
	});

	it('names annotators by _annotator_id, else _session_id, and keeps only the annotators asked for', () => {
		const bySession = tasks.map((task) => {
			const copy = { ...task };
			delete copy._annotator_id;
			return copy;
		});
		expect(fixed(binaryAgreement(bySession).krippendorffAlpha)).toBe('0.0952');
		const third = setHashes({ text: 'Text number 1', label: 'SPORTS', answer: 'reject', _session_id: 'news-kim', _view_id: 'classification' });
		const only = binaryAgreement([...tasks, third], { annotators: ['news-annotator1', 'news-annotator2'] });
		expect(fixed(only.krippendorffAlpha)).toBe('0.0952');
		expect(only.stats.skipped.otherAnnotator).toBe(1);
		expect(binaryAgreement([...tasks, third]).stats.annotatorIds).toContain('news-kim');
	});

	it("an annotator's later answer on the same input replaces the earlier one", () => {
		// Annotator 1 first rejects input 2, then accepts it (the table's value): same result, one replacement.
		const first = setHashes({ text: 'Text number 2', label: 'SPORTS', answer: 'reject', _annotator_id: 'news-annotator1', _view_id: 'classification' });
		const result = binaryAgreement([first, ...tasks]);
		expect(fixed(result.krippendorffAlpha)).toBe('0.0952');
		expect(result.stats.skipped.replaced).toBe(1);
	});

	it('groups by _input_hash (the questions of a teach recipe about one text are one unit) unless asked to group by task', () => {
		// Two questions about one text (different labels → same _input_hash, different _task_hash).
		const teach = [
			setHashes({ text: 'Goal!', label: 'SPORTS', answer: 'accept', _annotator_id: 'a', _view_id: 'classification' }),
			setHashes({ text: 'Goal!', label: 'POLITICS', answer: 'reject', _annotator_id: 'a', _view_id: 'classification' }),
			setHashes({ text: 'Goal!', label: 'SPORTS', answer: 'accept', _annotator_id: 'b', _view_id: 'classification' }),
			setHashes({ text: 'Goal!', label: 'POLITICS', answer: 'reject', _annotator_id: 'b', _view_id: 'classification' }),
		];
		const byInput = binaryAgreement(teach);
		expect(byInput.stats).toMatchObject({ examples: 1, coincidentExamples: 1 });
		expect(byInput.stats.skipped.replaced).toBe(2);
		const byTask = binaryAgreement(teach, { groupBy: 'task' });
		expect(byTask.stats).toMatchObject({ examples: 2, coincidentExamples: 2 });
		expect(byTask.percentAgreement).toBe(1);
		expect(byTask.krippendorffAlpha).toBe(1);
	});

	it('measures one _view_id: answers from two give no value and the reason, unless one is chosen', () => {
		const other = setHashes({ text: 'Other text', label: 'SPORTS', answer: 'accept', _annotator_id: 'news-annotator1', _view_id: 'text' });
		const mixed = binaryAgreement([...tasks, other]);
		expect(mixed).toMatchObject({ percentAgreement: null, krippendorffAlpha: null, gwetAC2: null, coefficients: null });
		expect(mixed.reason).toMatch(/2 annotation interfaces \(_view_id classification, text\)/);
		const chosen = binaryAgreement([...tasks, other], { viewId: 'classification' });
		expect(fixed(chosen.krippendorffAlpha)).toBe('0.0952');
		expect(chosen.stats.skipped.otherViewId).toBe(1);
	});
});

describe('metric.iaa.doc multiclass', () => {
	const tasks = answersOf(raw4raters, (value) => choice(String(value)));

	it("reproduces Gwet's 4-rater example from choice answers: 0.8182, 0.7434, 0.7754", () => {
		const result = docAgreement(tasks, 'multiclass');
		expect(fixed(result.percentAgreement)).toBe('0.8182');
		expect(fixed(result.krippendorffAlpha)).toBe('0.7434');
		expect(fixed(result.gwetAC2)).toBe('0.7754');
		expect(result.stats).toMatchObject({
			examples: 12,
			coincidentExamples: 11,
			singleAnnotationExamples: 1,
			annotators: 4,
			categories: 5,
			labels: ['1', '2', '3', '4', '5'],
			viewIds: ['choice'],
		});
		expect(result.stats.avgAnnotationsPerExample).toBeCloseTo(41 / 12, 12);
	});

	it('counts accepted answers with one choice only: rejected, ignored, empty and multiple choices are left out', () => {
		const noise: Task[] = [
			setHashes({ ...choice('1'), answer: 'reject', text: 'Text number 3', _annotator_id: 'news-annotator5' }),
			setHashes({ ...choice('2'), answer: 'ignore', text: 'Text number 3', _annotator_id: 'news-annotator6' }),
			setHashes({ ...choice('2'), accept: [], text: 'Text number 4', _annotator_id: 'news-annotator5' }),
			setHashes({ ...choice('2'), accept: ['2', '3'], text: 'Text number 5', _annotator_id: 'news-annotator5' }),
		];
		const result = docAgreement([...tasks, ...noise], 'multiclass');
		expect(fixed(result.krippendorffAlpha)).toBe('0.7434');
		expect(result.stats.skipped).toMatchObject({ rejected: 1, ignored: 1, noChoice: 1, multipleChoices: 1 });
		expect(result.stats.annotators).toBe(4);
	});

	it('with labels: other choices are left out, unused labels count in AC2 (q) and are reported as not found', () => {
		const withSix = docAgreement(tasks, 'multiclass', { labels: ['1', '2', '3', '4', '5', '6'] });
		expect(fixed(withSix.krippendorffAlpha)).toBe('0.7434');
		expect(withSix.gwetAC2).not.toBeCloseTo(0.7754, 4);
		expect(withSix.stats.labelsNotFound).toEqual(['6']);
		const fewer = docAgreement(tasks, 'multiclass', { labels: ['1', '2', '3', '4'] });
		expect(fewer.stats.skipped.otherLabel).toBe(3);
	});

	it('reproduces Hayes & Krippendorff (2007) from choice answers: 0.6250, 0.4765, 0.5093', () => {
		// prettier-ignore
		const hk = [[1,1,2,_,2],[1,1,0,1,_],[2,3,3,3,_],[_,0,0,_,0],[0,0,0,_,0],[0,0,0,_,0],[1,0,2,_,1],[1,_,2,0,_],
			[2,2,2,_,2],[2,1,1,1,_],[_,1,0,0,_],[0,0,0,0,_],[1,2,2,2,_],[3,3,2,2,3],[1,1,1,_,1],[1,1,1,_,1],[2,1,2,_,2],
			[1,2,3,3,_],[1,1,0,1,_],[0,0,0,_,0],[0,0,1,1,_],[0,0,_,0,0],[2,3,3,3,_],[0,0,0,0,_],[1,2,_,2,2],[0,1,1,1,_],
			[0,0,0,1,0],[1,2,1,2,_],[1,1,2,2,_],[1,1,2,_,2],[1,1,0,_,0],[2,1,2,1,_],[2,2,_,2,2],[3,2,2,2,_],[2,2,2,_,2],
			[2,2,3,_,2],[2,2,2,_,2],[2,2,_,1,2],[2,2,2,2,_],[1,1,1,_,1]];
		const result = docAgreement(
			answersOf(hk, (value) => ({ accept: [value], answer: 'accept', _view_id: 'choice' })),
			'multiclass',
		);
		expect([fixed(result.percentAgreement), fixed(result.krippendorffAlpha), fixed(result.gwetAC2)]).toEqual(['0.6250', '0.4765', '0.5093']);
	});
});

describe('metric.iaa.doc multilabel', () => {
	// Label SPORTS follows Krippendorff's binary example; every annotator chose POLITICS on the first three texts
	// only; ECONOMY is offered but never chosen.
	const tasks = answersOf(binary, (value) => ({
		options: [{ id: 'SPORTS' }, { id: 'POLITICS' }, { id: 'ECONOMY' }],
		accept: [...(value === 1 ? ['SPORTS'] : [])],
		answer: 'accept',
		_view_id: 'choice',
	})).map((task) => {
		const unit = Number(String(task.text).split(' ').pop());
		return unit <= 3 ? { ...task, accept: [...(task.accept as string[]), 'POLITICS'] } : task;
	});

	it('measures each label as a yes / no judgement and all (input, label) decisions together', () => {
		const result = docAgreement(tasks, 'multilabel');
		expect(result.stats.labels).toEqual(['ECONOMY', 'POLITICS', 'SPORTS']);
		expect(fixed(result.perLabel?.SPORTS.krippendorffAlpha)).toBe('0.0952');
		expect(result.perLabel?.POLITICS).toMatchObject({ percentAgreement: 1, krippendorffAlpha: 1 });
		// Nobody chose ECONOMY: agreement is perfect but alpha has no variation to measure.
		expect(result.perLabel?.ECONOMY).toMatchObject({ percentAgreement: 1, krippendorffAlpha: null });
		const pooledUnits = [
			...binary.map(() => [0, 0]),
			...binary.map((_row, unit) => (unit < 3 ? [1, 1] : [0, 0])),
			...binary,
		];
		const pooled = lib.reliabilityCoefficients(pooledUnits);
		expect(result.krippendorffAlpha).toBeCloseTo(pooled.krippendorffAlpha as number, 12);
		expect(result.gwetAC2).toBeCloseTo(pooled.gwetAC2 as number, 12);
		expect(result.percentAgreement).toBeCloseTo(pooled.percentAgreement as number, 12);
		expect(result.stats).toMatchObject({ examples: 10, coincidentExamples: 10, annotators: 2, categories: 3 });
	});

	it('measures only the labels asked for', () => {
		const result = docAgreement(tasks, 'multilabel', { labels: ['SPORTS'] });
		expect(Object.keys(result.perLabel ?? {})).toEqual(['SPORTS']);
		expect(fixed(result.krippendorffAlpha)).toBe('0.0952');
	});
});

describe('metric.iaa.span', () => {
	const span = (start: number, end: number, label: string) => ({ start, end, label });
	const answer = (text: string, annotator: string, spans: object[], extra: Task = {}): Task =>
		setHashes({ text, spans, answer: 'accept', _annotator_id: annotator, _view_id: 'spans_manual', ...extra });
	const tasks = [
		// Input 1: alex and sam agree on ORG, differ on the PER boundary.
		answer('Acme hired Bo Li', 'ner-alex', [span(0, 4, 'ORG'), span(11, 16, 'PER')]),
		answer('Acme hired Bo Li', 'ner-sam', [span(0, 4, 'ORG'), span(11, 13, 'PER')]),
		// Input 2: all three mark the GPE; kim also marks an ORG.
		answer('Paris won', 'ner-alex', [span(0, 5, 'GPE')]),
		answer('Paris won', 'ner-sam', [span(0, 5, 'GPE')]),
		answer('Paris won', 'ner-kim', [span(0, 5, 'GPE'), span(0, 5, 'ORG')]),
		// Input 3: only alex (no other annotator to compare with).
		answer('Nothing here', 'ner-alex', []),
	];

	it('is the mean over annotator pairs of F1 over exactly matching spans (start, end, label)', () => {
		const result = spanAgreement(tasks);
		// alex–sam: inputs 1, 2; agreed ORG + GPE = 2 of 3 + 3 spans → F1 = 4/6.
		// alex–kim: input 2; agreed GPE = 1 of 1 + 2 → 2/3.  kim–sam: input 2; 1 of 2 + 1 → 2/3.
		expect(result.pairs.map((pair) => [pair.annotators, pair.inputs, pair.agreed, pair.itemsA, pair.itemsB])).toEqual([
			[['ner-alex', 'ner-kim'], 1, 1, 1, 2],
			[['ner-alex', 'ner-sam'], 2, 2, 3, 3],
			[['ner-kim', 'ner-sam'], 1, 1, 2, 1],
		]);
		expect(result.pairwiseF1).toBeCloseTo(2 / 3, 12);
		expect(result.perLabel.PER.pairwiseF1).toBe(0);
		expect(result.perLabel.GPE.pairwiseF1).toBe(1);
		expect(result.perLabel.ORG.pairwiseF1).toBeCloseTo((1 + 0 + 0) / 3, 12);
		expect(result.stats).toMatchObject({ examples: 3, coincidentExamples: 2, annotators: 3, labels: ['GPE', 'ORG', 'PER'] });
	});

	it('F1 is symmetric: either annotator can be the reference (Hripcsak & Rothschild 2005)', () => {
		const [pair] = spanAgreement(tasks.slice(0, 2)).pairs;
		const precision = pair.agreed / pair.itemsB;
		const recall = pair.agreed / pair.itemsA;
		expect(pair.f1).toBeCloseTo((2 * precision * recall) / (precision + recall), 12);
	});

	it('counts accepted answers only, keeps the labels asked for, and refuses grouping by task', () => {
		const noise = [
			answer('Paris won', 'ner-lee', [span(0, 5, 'GPE')], { answer: 'reject' }),
			answer('Paris won', 'ner-max', [span(0, 5, 'GPE')], { answer: 'ignore' }),
			answer('Paris won', 'ner-ana', [{ x: 1, y: 2, width: 3, height: 4, label: 'GPE' }]),
		];
		const result = spanAgreement([...tasks, ...noise], { labels: ['GPE', 'ORG'] });
		expect(result.stats.skipped).toMatchObject({ rejected: 1, ignored: 1, unsupportedSpans: 1 });
		expect(Object.keys(result.perLabel)).toEqual(['GPE', 'ORG']);
		expect(() => spanAgreement(tasks, { groupBy: 'task' })).toThrow(/groups answers by input/);
	});

	it('gives no value when nobody shares an input, or nobody marked a span on shared inputs', () => {
		expect(spanAgreement(tasks.slice(5)).reason).toMatch(/no input was annotated by two/);
		const empty = spanAgreement([answer('x', 'a', []), answer('x', 'b', [])]);
		expect(empty.pairwiseF1).toBeNull();
		expect(empty.reason).toMatch(/no annotator marked a span/);
	});
});

describe('streaming and the public entry', () => {
	it('accumulates store rows, using the example columns for the hashes', () => {
		const acc = new IaaAccumulator('binary');
		acc.add({ answer: 'accept', _annotator_id: 'a' }, { inputHash: 7, taskHash: 70 });
		acc.add({ answer: 'accept', _annotator_id: 'b' }, { inputHash: '7', taskHash: 71 });
		const result = acc.coefficientResult();
		expect(result.stats.coincidentExamples).toBe(1);
		expect(result.percentAgreement).toBe(1);
		expect(() => acc.spanResult()).toThrow(/not span agreement/);
		expect(() => new IaaAccumulator('kappa' as never)).toThrow(/Unknown agreement metric/);
	});

	it("exports Prodigy's measures for Code nodes beside the labelled kappa", () => {
		for (const name of ['reliabilityCoefficients', 'krippendorffAlpha', 'gwetAC2', 'pairwiseF1', 'binaryAgreement', 'docAgreement', 'spanAgreement', 'IaaAccumulator', 'cohensKappa', 'fleissKappa'] as const) {
			expect(typeof lib[name]).toBe('function');
		}
		expect(lib.IAA_METRICS).toEqual(['binary', 'multiclass', 'multilabel', 'span']);
	});
});
