import {
	AgreementAccumulator,
	annotationCategory,
	annotatorOf,
	cohensKappa,
	cohensKappaFromTable,
	fleissKappa,
	percentAgreement,
} from '../../lib/agreement';

describe("Cohen's kappa", () => {
	// Worked example from Wikipedia, "Cohen's kappa", section "Simple example": 50 grant proposals read by A and B.
	// Both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
	// p_o = (20 + 15) / 50 = 0.7; A says yes 25/50 = 0.5, B says yes 30/50 = 0.6;
	// p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
	it('reproduces the published worked example from the contingency table', () => {
		const result = cohensKappaFromTable([
			[20, 5],
			[10, 15],
		]);
		expect(result.observed).toBeCloseTo(0.7, 12);
		expect(result.expected).toBeCloseTo(0.5, 12);
		expect(result.kappa).toBeCloseTo(0.4, 12);
	});

	it('gives the same from the two label lists', () => {
		const a = [...Array(25).fill('yes'), ...Array(25).fill('no')];
		const b = [...Array(20).fill('yes'), ...Array(5).fill('no'), ...Array(10).fill('yes'), ...Array(15).fill('no')];
		expect(cohensKappa(a, b).kappa).toBeCloseTo(0.4, 12);
	});

	it('is 1 for perfect agreement and 0 for agreement at chance level', () => {
		expect(cohensKappa(['a', 'b', 'a'], ['a', 'b', 'a']).kappa).toBe(1);
		// p_o = 0.5, p_e = 0.5*0.5 + 0.5*0.5 = 0.5 → 0
		expect(cohensKappa(['a', 'a', 'b', 'b'], ['a', 'b', 'a', 'b']).kappa).toBe(0);
		// All ratings in one category: 0/0, reported as perfect agreement.
		expect(cohensKappa(['a', 'a'], ['a', 'a']).kappa).toBe(1);
	});
});

describe("Fleiss' kappa", () => {
	// Worked example from Wikipedia, "Fleiss' kappa" (the example table of Fleiss 1971's method): 10 subjects,
	// 14 raters each, 5 categories. Σ_i Σ_j n_ij² = 828, so P̄ = (828 - 10*14) / (10 * 14 * 13) = 688 / 1820;
	// category totals 20, 28, 39, 21, 32 of 140 ratings → P̄_e = (20² + 28² + 39² + 21² + 32²) / 140² = 4170 / 19600;
	// kappa = (688/1820 - 4170/19600) / (1 - 4170/19600) ≈ 0.210 (Wikipedia: P̄ = 0.378, P̄_e = 0.213, κ = 0.210).
	const table = [
		[0, 0, 0, 0, 14],
		[0, 2, 6, 4, 2],
		[0, 0, 3, 5, 6],
		[0, 3, 9, 2, 0],
		[2, 2, 8, 1, 1],
		[7, 7, 0, 0, 0],
		[3, 2, 6, 3, 0],
		[2, 5, 3, 2, 2],
		[6, 5, 2, 1, 0],
		[0, 2, 2, 3, 7],
	];

	it('reproduces the published worked example', () => {
		const observed = 688 / 1820;
		const expected = 4170 / 19600;
		const result = fleissKappa(table);
		expect(result.observed).toBeCloseTo(observed, 12);
		expect(result.expected).toBeCloseTo(expected, 12);
		expect(result.kappa).toBeCloseTo((observed - expected) / (1 - expected), 12);
		expect(result.kappa.toFixed(3)).toBe('0.210');
	});

	it("equals Cohen's observed agreement for two raters", () => {
		// Two raters per subject: P_i is 1 when they agree, 0 otherwise.
		const result = fleissKappa([
			[2, 0],
			[0, 2],
			[1, 1],
			[1, 1],
		]);
		expect(result.observed).toBe(0.5);
		expect(result.expected).toBe(0.5);
		expect(result.kappa).toBe(0);
	});

	it('rejects subjects with fewer than two ratings', () => {
		expect(() => fleissKappa([[1, 0]])).toThrow(/at least two ratings/);
	});
});

describe('percentAgreement', () => {
	it('is the mean share of agreeing pairs per subject', () => {
		// subject 1: 3 raters all agree → 3/3 pairs; subject 2: a,a,b → 1 of 3 pairs; mean = (1 + 1/3) / 2
		expect(percentAgreement([['a', 'a', 'a'], ['a', 'a', 'b']])).toBeCloseTo(2 / 3, 12);
		expect(percentAgreement([['x', 'y']])).toBe(0);
	});
});

describe('annotations', () => {
	it('finds the annotator and the category of a Prodigy answer', () => {
		expect(annotatorOf({ _annotator_id: 'ner-alex', _session_id: 'ner-x' })).toBe('ner-alex');
		expect(annotatorOf({ _session_id: 'ner-sam' })).toBe('ner-sam');
		expect(annotatorOf({ text: 'x' })).toBeNull();
		expect(annotationCategory({ answer: 'accept' }, 'answer')).toBe('accept');
		expect(annotationCategory({ text: 'x' }, 'answer')).toBeNull();
		expect(annotationCategory({ answer: 'accept', _task_hash: 7, accept: ['B', 'A'] }, 'annotation')).toBe('accept|7|A,B');
		expect(annotationCategory({ answer: 'accept', _task_hash: 7 }, 'annotation', 9)).toBe('accept|9|');
	});

	it("uses Cohen's kappa over inputs that both of two annotators answered", () => {
		const acc = new AgreementAccumulator();
		// Inputs 1-4 answered by alex and sam; input 5 only by alex (not rateable).
		const answers: Array<[number, string, string]> = [
			[1, 'alex', 'accept'],
			[1, 'sam', 'accept'],
			[2, 'alex', 'accept'],
			[2, 'sam', 'reject'],
			[3, 'alex', 'reject'],
			[3, 'sam', 'reject'],
			[4, 'alex', 'reject'],
			[4, 'sam', 'accept'],
			[5, 'alex', 'accept'],
		];
		for (const [input, annotator, answer] of answers) {
			acc.addTask({ answer, _annotator_id: annotator }, input, 'answer');
		}
		// p_o = 2/4; alex accept 2/4, sam accept 2/4 → p_e = 0.5 → kappa 0
		expect(acc.result()).toEqual({
			subjects: 4,
			annotators: 2,
			percentAgreement: 0.5,
			kappa: 0,
			method: 'cohen',
			observed: 0.5,
			expected: 0.5,
		});
	});

	it("uses Fleiss' kappa for more annotators, and a later answer replaces an earlier one", () => {
		const acc = new AgreementAccumulator();
		acc.add(1, 'a', 'reject');
		acc.add(1, 'a', 'accept'); // a changed their mind: only 'accept' counts
		acc.add(1, 'b', 'accept');
		acc.add(1, 'c', 'accept');
		acc.add(2, 'a', 'accept');
		acc.add(2, 'b', 'reject');
		acc.add(2, 'c', 'reject');
		// Subject 1: [3,0] → P=1; subject 2: [1,2] → P=(1+4-3)/6=1/3; P̄ = 2/3.
		// totals accept 4, reject 2 of 6 → P̄e = (4/6)² + (2/6)² = 5/9; kappa = (2/3 - 5/9) / (4/9) = 0.25
		const result = acc.result();
		expect(result.method).toBe('fleiss');
		expect(result.subjects).toBe(2);
		expect(result.annotators).toBe(3);
		expect(result.percentAgreement).toBeCloseTo(2 / 3, 12);
		expect(result.kappa).toBeCloseTo(0.25, 12);
	});

	it('reports no agreement when no input has two annotators', () => {
		const acc = new AgreementAccumulator();
		acc.add(1, 'a', 'accept');
		acc.add(2, 'b', 'accept');
		expect(acc.result()).toMatchObject({ subjects: 0, kappa: null, percentAgreement: null, method: null });
	});
});
