// Export for training: merging the answers to one input, spaCy's offsets → BILUO → IOB2 rules, text-classification
// shapes and the hash-based train / dev split. Real Prodigy records (the NER and textcat vectors written by Prodigy)
// and hand-derived expectations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseJsonLossless } from '../../lib/json';
import type { Task } from '../../lib/store/types';
import {
	biluoToIob,
	groupByInput,
	emptyTrainingSummary,
	isDevInput,
	mergeAnswers,
	offsetsToBiluoTags,
	toTextcatLine,
	toTokensLine,
	trainingLines,
	TrainingDataError,
	validateDevShare,
	whitespaceTokens,
	type Answer,
	type TrainingExample,
} from '../../lib/training';

interface Vector {
	source: string;
	input_json: string;
	input_hash: number;
	task_hash: number;
	kind: string;
}

const vectors: Vector[] = readFileSync(join(__dirname, '..', 'fixtures', 'prodigy-hash-vectors.jsonl'), 'utf8')
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line) as Vector);

let nextLink = 1;
function answer(task: Task, inputHash = 1, taskHash = nextLink): Answer {
	return { linkId: nextLink++, inputHash, taskHash, task };
}
function fromVector(vector: Vector): Answer {
	return answer(parseJsonLossless(vector.input_json) as Task, vector.input_hash, vector.task_hash);
}
function example(outcome: ReturnType<typeof mergeAnswers>): TrainingExample {
	if (outcome.kind !== 'example') throw new Error(`expected an example, got ${outcome.kind}`);
	return outcome.example;
}

const ner = vectors.filter((vector) => vector.kind === 'ner');
const textcatBinary = vectors.filter((vector) => vector.source.includes('textcat-binary'));

describe('tokens / IOB2 from real Prodigy NER answers (ner_manual review output)', () => {
	// Tags derived by hand from each record's tokens and spans.
	const expected: Record<string, string[]> = {
		'#1': ['O', 'B-Cuisine', 'O', 'B-Location'],
		'#2': ['O', 'B-Cuisine', 'O', 'B-Hours', 'I-Hours', 'I-Hours', 'B-Location'],
		'#3': ['O', 'B-Rating', 'B-Cuisine', 'I-Cuisine', 'I-Cuisine', 'B-Location'],
		'#5': ['O', 'O', 'B-Location', 'I-Location', 'O', 'O', 'O', 'B-Amenity', 'I-Amenity'],
		'#9': ['O', 'O', 'O', 'B-Amenity', 'I-Amenity', 'B-Cuisine', 'O', 'B-Location'],
	};

	it('has the nine NER records', () => {
		expect(ner).toHaveLength(9);
	});

	it.each(Object.keys(expected))('record %s gives the hand-derived tags', (suffix) => {
		const vector = ner.find((candidate) => candidate.source.endsWith(suffix));
		const merged = example(mergeAnswers([fromVector(vector as Vector)]));
		const result = toTokensLine(merged);
		expect(result?.whitespace).toBe(false);
		expect(result?.line.ner_tags).toEqual(expected[suffix]);
		const task = JSON.parse((vector as Vector).input_json) as { tokens: Array<{ text: string }> };
		expect(result?.line.tokens).toEqual(task.tokens.map((token) => token.text));
	});

	it('converts every record: one tag per token, every span becomes one B then I tags', () => {
		for (const vector of ner) {
			const merged = example(mergeAnswers([fromVector(vector)]));
			const { line } = toTokensLine(merged) as NonNullable<ReturnType<typeof toTokensLine>>;
			expect(line.ner_tags).toHaveLength(line.tokens.length);
			expect(line.ner_tags.filter((tag) => tag.startsWith('B-'))).toHaveLength(merged.spans.length);
		}
	});

	it('unites two annotators who marked the same spans (identical spans once)', () => {
		const vector = ner[1];
		const merged = example(mergeAnswers([fromVector(vector), fromVector(vector)]));
		expect(merged.spans).toHaveLength(3);
		expect(merged.answers).toBe(2);
	});

	it('unites different spans of different annotators when they do not overlap', () => {
		const base = JSON.parse(ner[0].input_json) as Task & { spans: unknown[] };
		const a = { ...base, spans: [base.spans[0]], _annotator_id: 'ner-alex' };
		const b = { ...base, spans: [base.spans[1]], _annotator_id: 'ner-sam' };
		const merged = example(mergeAnswers([answer(a, ner[0].input_hash), answer(b, ner[0].input_hash)]));
		expect(toTokensLine(merged)?.line.ner_tags).toEqual(['O', 'B-Cuisine', 'O', 'B-Location']);
	});

	it('lists overlapping spans of two annotators as a conflict with the answers and annotators', () => {
		const base = JSON.parse(ner[0].input_json) as Task & { spans: unknown[] };
		const a = { ...base, _annotator_id: 'ner-alex', _session_id: 'ner-alex' };
		// "asian cuisine" instead of "asian": overlaps the first span with a different extent.
		const b = { ...base, spans: [{ start: 4, end: 17, label: 'Cuisine', token_start: 1, token_end: 2 }], _annotator_id: 'ner-sam' };
		const ignored = { ...base, spans: [], answer: 'ignore', _annotator_id: 'ner-kim' };
		const outcome = mergeAnswers([answer(a, -1847384001, 11), answer(ignored, -1847384001, 12), answer(b, -1847384001, 13)]);
		expect(outcome.kind).toBe('conflict');
		if (outcome.kind !== 'conflict') return;
		expect(outcome.conflict).toMatchObject({
			inputHash: -1847384001,
			text: 'any asian cuisine around',
			reason: 'spans',
			detail: 'spans 4-9 Cuisine and 4-17 Cuisine overlap',
			annotators: ['ner-alex', 'ner-sam'],
		});
		expect(outcome.conflict.answers.map((entry) => [entry.taskHash, entry.annotator, entry.answer])).toEqual([
			[11, 'ner-alex', 'accept'],
			[13, 'ner-sam', 'accept'],
		]);
		expect(outcome.conflict.answers[1].spans).toEqual([{ start: 4, end: 17, label: 'Cuisine', tokenStart: 1, tokenEnd: 2 }]);
	});

	it('lists the same characters with two labels as a conflict', () => {
		const base = JSON.parse(ner[6].input_json) as Task;
		const other = { ...base, spans: [{ start: 16, end: 22, label: 'Street', token_start: 3, token_end: 3 }] };
		const outcome = mergeAnswers([answer(base, 5), answer(other, 5)]);
		expect(outcome.kind === 'conflict' && outcome.conflict.detail).toBe('spans 16-22 Location and 16-22 Street overlap');
	});

	it('lists one answer whose own spans overlap as a conflict (spaCy refuses overlapping entities)', () => {
		const base = JSON.parse(ner[0].input_json) as Task;
		const nested = { ...base, spans: [{ start: 4, end: 17, label: 'Cuisine' }, { start: 10, end: 17, label: 'Dish' }] };
		const outcome = mergeAnswers([answer(nested, 9)]);
		expect(outcome.kind === 'conflict' && outcome.conflict.reason).toBe('overlap');
	});

	it('drops rejected and ignored NER answers; an input with no accepted answer gives nothing', () => {
		const base = JSON.parse(ner[0].input_json) as Task;
		expect(mergeAnswers([answer({ ...base, answer: 'reject' }), answer({ ...base, answer: 'ignore' })])).toEqual({ kind: 'none' });
		const kept = example(mergeAnswers([answer({ ...base, answer: 'reject', spans: [{ start: 0, end: 3, label: 'X' }] }), answer(base)]));
		expect(kept.spans.map((span) => span.label)).toEqual(['Cuisine', 'Location']);
		expect(kept.answers).toBe(1);
	});

	it('refuses a span whose characters are not on token boundaries, naming the example', () => {
		const base = JSON.parse(ner[0].input_json) as Task;
		const shifted = { ...base, spans: [{ start: 5, end: 9, label: 'Cuisine' }] };
		const merged = example(mergeAnswers([answer(shifted, 77)]));
		expect(() => toTokensLine(merged)).toThrow(TrainingDataError);
		expect(() => toTokensLine(merged)).toThrow('The example with _input_hash 77: span 5-9 Cuisine ("sian") does not fall on token boundaries');
	});

	it('refuses a span whose token_start / token_end disagree with its characters', () => {
		const base = JSON.parse(ner[0].input_json) as Task;
		const wrong = { ...base, spans: [{ start: 4, end: 9, label: 'Cuisine', token_start: 1, token_end: 2 }] };
		expect(() => toTokensLine(example(mergeAnswers([answer(wrong, 78)])))).toThrow('says tokens 1-2 but its characters are tokens 1-1');
	});

	it('splits on whitespace when the task has no tokens, and says so', () => {
		const task = { text: 'I live in  New York', spans: [{ start: 11, end: 19, label: 'GPE' }], answer: 'accept' };
		const result = toTokensLine(example(mergeAnswers([answer(task)])));
		expect(result).toEqual({ whitespace: true, line: { tokens: ['I', 'live', 'in', 'New', 'York'], ner_tags: ['O', 'O', 'O', 'B-GPE', 'I-GPE'] } });
	});

	it('never shifts a span to fit whitespace tokens', () => {
		const task = { text: 'I live in New York.', spans: [{ start: 10, end: 18, label: 'GPE' }], answer: 'accept' };
		expect(() => toTokensLine(example(mergeAnswers([answer(task, 3)])))).toThrow('span 10-18 GPE ("New York") does not fall on whitespace token boundaries');
	});
});

describe('offsetsToBiluoTags follows spaCy', () => {
	// spaCy's own test cases (test_gold_biluo_*), with the tokens its English tokenizer makes.
	const tokensOf = (words: string[], spaces: boolean[]) => {
		let offset = 0;
		return words.map((word, i) => {
			const token = { text: word, start: offset, end: offset + word.length };
			offset += word.length + (spaces[i] ? 1 : 0);
			return token;
		});
	};
	const flew = tokensOf(['I', 'flew', 'to', 'San', 'Francisco', 'Valley', '.'], [true, true, true, true, true, false, true]);

	it('U for one token, B I L for three', () => {
		expect(offsetsToBiluoTags(flew, [{ start: 10, end: 30, label: 'LOC' }])).toEqual(['O', 'O', 'O', 'B-LOC', 'I-LOC', 'L-LOC', 'O']);
		expect(offsetsToBiluoTags(flew, [{ start: 10, end: 13, label: 'LOC' }])).toEqual(['O', 'O', 'O', 'U-LOC', 'O', 'O', 'O']);
	});

	it('misaligned spans leave "-" (missing) on the tokens they touch', () => {
		expect(offsetsToBiluoTags(flew, [{ start: 10, end: 16, label: 'LOC' }])).toEqual(['O', 'O', 'O', '-', '-', 'O', 'O']);
	});

	it('a span without a label marks its tokens O', () => {
		expect(offsetsToBiluoTags(flew, [{ start: 10, end: 30, label: '' }])).toEqual(['O', 'O', 'O', 'O', 'O', 'O', 'O']);
	});

	it('overlapping labelled spans throw (E103)', () => {
		expect(() => offsetsToBiluoTags(flew, [{ start: 10, end: 23, label: 'LOC' }, { start: 14, end: 30, label: 'LOC' }])).toThrow('overlap');
	});

	it('biluoToIob turns U into B and L into I', () => {
		expect(biluoToIob(['O', 'U-LOC', 'B-ORG', 'I-ORG', 'L-ORG', 'B-X', 'L-X'])).toEqual(['O', 'B-LOC', 'B-ORG', 'I-ORG', 'I-ORG', 'B-X', 'I-X']);
	});

	it('whitespaceTokens keeps offsets across runs of whitespace and non-ASCII', () => {
		expect(whitespaceTokens(' Zürich\tis  nice ')).toEqual([
			{ text: 'Zürich', start: 1, end: 7 },
			{ text: 'is', start: 8, end: 10 },
			{ text: 'nice', start: 12, end: 16 },
		]);
	});
});

describe('text classification from real Prodigy answers', () => {
	it('binary answers (textcat-binary): accept is the label, reject is "not the label", ignore is nothing', () => {
		expect(textcatBinary).toHaveLength(18);
		for (const vector of textcatBinary) {
			const task = JSON.parse(vector.input_json) as { text: string; answer: string };
			const outcome = mergeAnswers([fromVector(vector)]);
			if (task.answer === 'ignore') {
				expect(outcome).toEqual({ kind: 'none' });
				continue;
			}
			const merged = example(outcome);
			expect([...merged.cats]).toEqual([['foo', task.answer === 'accept' ? 1 : 0]]);
			expect(toTextcatLine(merged, 'cats')).toBe(`{"text":${JSON.stringify(task.text)},"cats":{"foo":${task.answer === 'accept' ? '1.0' : '0.0'}}}`);
			expect(toTextcatLine(merged, 'label')).toBe(task.answer === 'accept' ? `{"text":"${task.text}","label":"foo"}` : undefined);
			expect(toTextcatLine(merged, 'labels')).toBe(`{"text":"${task.text}","labels":${task.answer === 'accept' ? '["foo"]' : '[]'}}`);
		}
	});

	it('combines binary answers per label, as data-to-spacy does', () => {
		const text = 'hi my name is 0';
		const merged = example(
			mergeAnswers([
				answer({ text, label: 'foo', answer: 'accept' }, -784135307),
				answer({ text, label: 'bar', answer: 'reject' }, -784135307),
				answer({ text, label: 'foo', answer: 'accept' }, -784135307),
			]),
		);
		expect(toTextcatLine(merged, 'cats')).toBe('{"text":"hi my name is 0","cats":{"bar":0.0,"foo":1.0}}');
		expect(toTextcatLine(merged, 'label')).toBe('{"text":"hi my name is 0","label":"foo"}');
	});

	it('a label accepted by one annotator and rejected by another is a conflict', () => {
		const text = 'hi my name is 1';
		const outcome = mergeAnswers([
			answer({ text, label: 'foo', answer: 'accept', _annotator_id: 'tc-alex' }, 996120807, 1),
			answer({ text, label: 'foo', answer: 'reject', _annotator_id: 'tc-sam' }, 996120807, 2),
		]);
		expect(outcome.kind === 'conflict' && outcome.conflict).toMatchObject({
			reason: 'labels',
			detail: 'label foo is both accepted and rejected',
			annotators: ['tc-alex', 'tc-sam'],
			text: 'hi my name is 1',
		});
	});

	// The shape of Prodigy's choice answers (textcat.manual / choice view): options, the chosen ids in `accept`.
	const options = [
		{ id: 'foo', text: 'foo' },
		{ id: 'bar', text: 'bar' },
		{ id: 'buz', text: 'buz' },
	];
	const choice = (accept: string[], extra: Task = {}) => ({ text: 'hi my name is 0', options, accept, answer: 'accept', _view_id: 'choice', ...extra });

	it('choice answers: chosen options are 1, the others 0; several chosen options give several labels', () => {
		const single = example(mergeAnswers([answer(choice(['bar']))]));
		expect(toTextcatLine(single, 'label')).toBe('{"text":"hi my name is 0","label":"bar"}');
		expect(toTextcatLine(single, 'cats')).toBe('{"text":"hi my name is 0","cats":{"bar":1.0,"buz":0.0,"foo":0.0}}');
		const multi = example(mergeAnswers([answer(choice(['foo', 'buz']))]));
		expect(toTextcatLine(multi, 'labels')).toBe('{"text":"hi my name is 0","labels":["buz","foo"]}');
		expect(() => toTextcatLine(multi, 'label')).toThrow('has 2 labels (buz, foo), but the shape is Single Label');
	});

	it('two annotators choosing the same option merge; different single choices conflict', () => {
		expect(example(mergeAnswers([answer(choice(['bar'])), answer(choice(['bar']))])).answers).toBe(2);
		const outcome = mergeAnswers([answer(choice(['bar'], { _annotator_id: 'a' })), answer(choice(['buz'], { _annotator_id: 'b' }))]);
		expect(outcome.kind === 'conflict' && outcome.conflict.detail).toBe('label bar is both accepted and rejected');
	});

	it('a rejected or ignored choice answer is dropped', () => {
		expect(mergeAnswers([answer(choice([], { answer: 'reject' })), answer(choice(['foo'], { answer: 'ignore' }))])).toEqual({ kind: 'none' });
	});

	it('an example without labels or text gives no line', () => {
		expect(toTextcatLine(example(mergeAnswers([answer({ text: 'x', spans: [], answer: 'accept' })])), 'cats')).toBeUndefined();
		expect(toTextcatLine(example(mergeAnswers([answer({ image: 'a.png', label: 'cat', answer: 'accept' })])), 'label')).toBeUndefined();
	});
});

describe('groupByInput', () => {
	it('yields consecutive records of one input hash together', async () => {
		async function* records() {
			for (const inputHash of [1, 1, 2, 3, 3, 3]) yield { inputHash };
		}
		const groups: number[][] = [];
		for await (const group of groupByInput(records())) groups.push(group.map((record) => record.inputHash));
		expect(groups).toEqual([[1, 1], [2], [3, 3, 3]]);
	});
});

describe('trainingLines', () => {
	async function* stream(answers: Answer[]) {
		yield* answers;
	}
	async function linesOf(answers: Answer[], merge = true) {
		const summary = emptyTrainingSummary();
		const out: string[] = [];
		for await (const { line } of trainingLines(stream(answers), { format: 'tokens', merge, textcatShape: 'label', devShare: 0 }, summary)) out.push(line);
		return { out, summary };
	}

	it('never merges two different texts that share an input hash (32-bit hashes collide at scale)', async () => {
		// Both claim input hash 42: a collision, as about a hundred pairs in a million inputs are.
		const a = answer({ text: 'Acme hired Bo', spans: [{ start: 0, end: 4, label: 'ORG' }], answer: 'accept' }, 42);
		const b = answer({ text: 'Paris is big', spans: [{ start: 0, end: 5, label: 'GPE' }], answer: 'accept' }, 42);
		const { out, summary } = await linesOf([a, b]);
		expect(out).toEqual([
			'{"tokens":["Acme","hired","Bo"],"ner_tags":["B-ORG","O","O"]}\n',
			'{"tokens":["Paris","is","big"],"ner_tags":["B-GPE","O","O"]}\n',
		]);
		expect(summary).toMatchObject({ answers: 2, conflictCount: 0, whitespaceTokenized: 2, train: { examples: 2, labels: { GPE: 1, ORG: 1 } } });
	});

	it('counts inputs without an accepted answer and lists conflicts', async () => {
		const text = 'Acme hired Bo';
		const { out, summary } = await linesOf([
			answer({ text, spans: [{ start: 0, end: 4, label: 'ORG' }], answer: 'accept', _annotator_id: 'a' }, 7),
			answer({ text, spans: [{ start: 0, end: 4, label: 'PERSON' }], answer: 'accept', _annotator_id: 'b' }, 7),
			answer({ text: 'nothing', answer: 'ignore' }, 8),
		]);
		expect(out).toEqual([]);
		expect(summary).toMatchObject({ answers: 3, withoutAcceptedAnswer: 1, conflictCount: 1 });
		expect(summary.conflicts[0]).toMatchObject({ inputHash: 7, annotators: ['a', 'b'], reason: 'spans' });
	});
});

describe('train / dev split by input hash', () => {
	const hashes = Array.from({ length: 20_000 }, (_, i) => ((i * 2654435761) | 0) ^ (i << 7));

	it('puts about the share on the dev side', () => {
		for (const share of [10, 20, 50]) {
			const dev = hashes.filter((hash) => isDevInput(hash, share)).length / hashes.length;
			expect(Math.abs(dev - share / 100)).toBeLessThan(0.015);
		}
	});

	it('depends on the input hash only: same answer every time, none at 0 %', () => {
		expect(hashes.some((hash) => isDevInput(hash, 0))).toBe(false);
		const vectorHashes = vectors.map((vector) => vector.input_hash);
		expect(vectorHashes.map((hash) => isDevInput(hash, 20))).toEqual([...vectorHashes].reverse().map((hash) => isDevInput(hash, 20)).reverse());
		// Pinned: a changed rule would silently move users' inputs between sides.
		expect(vectorHashes.slice(0, 12).map((hash) => isDevInput(hash, 20))).toEqual([false, true, true, false, false, false, false, false, false, false, true, false]);
	});

	it('raising the share only moves inputs from train to dev', () => {
		for (const hash of hashes.slice(0, 5000)) {
			if (isDevInput(hash, 10)) expect(isDevInput(hash, 25)).toBe(true);
		}
	});

	it('validates the share', () => {
		expect(validateDevShare(12.5)).toBe(12.5);
		expect(() => validateDevShare(51)).toThrow('Dev share must be between 0 and 50 (percent), got 51');
		expect(() => validateDevShare(-1)).toThrow('between 0 and 50');
		expect(() => validateDevShare(Number.NaN)).toThrow('between 0 and 50');
	});
});
