import {
	reviewOrder,
	aggregate,
	leastConfidence,
	margin,
	measureConfidence,
	mostUncertain,
	normalizedEntropy,
	routeByConfidence,
	scoreValue,
	splitPaths,
	toDistribution,
	validateSpec,
} from '../../lib/uncertainty';

// Hand computations (natural logarithms):
//   p = [0.7, 0.2, 0.1]
//   least confidence = 1 - 0.7 = 0.3;  margin = 0.7 - 0.2 = 0.5
//   H = -(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.2496725 + 0.3218876 + 0.2302585 = 0.8018186
//   H / ln 3 = 0.8018186 / 1.0986123 = 0.7298467
describe('uncertainty measures', () => {
	it('least confidence is 1 - top probability', () => {
		expect(leastConfidence([0.7, 0.2, 0.1])).toBeCloseTo(0.3, 12);
		expect(leastConfidence([0.1, 0.2, 0.7])).toBeCloseTo(0.3, 12);
		expect(leastConfidence([1, 0])).toBe(0);
	});

	it('margin is top-1 minus top-2, order-independent', () => {
		expect(margin([0.7, 0.2, 0.1])).toBeCloseTo(0.5, 12);
		expect(margin([0.2, 0.1, 0.7])).toBeCloseTo(0.5, 12);
		expect(margin([0.5, 0.5])).toBe(0);
		expect(margin([0.8])).toBe(0.8);
	});

	it('normalised entropy matches the hand computation and its bounds', () => {
		expect(normalizedEntropy([0.7, 0.2, 0.1])).toBeCloseTo(0.7298467, 6);
		expect(normalizedEntropy([0.5, 0.5])).toBeCloseTo(1, 12);
		expect(normalizedEntropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1, 12);
		expect(normalizedEntropy([1, 0, 0])).toBe(0);
		expect(normalizedEntropy([1])).toBe(0);
		// Renormalised first: [0.35, 0.1, 0.05] is the same distribution as [0.7, 0.2, 0.1].
		expect(normalizedEntropy([0.35, 0.1, 0.05])).toBeCloseTo(0.7298467, 6);
	});

	it('aggregates min / mean / max', () => {
		expect(aggregate([0.9, 0.35, 0.5], 'min')).toBe(0.35);
		expect(aggregate([0.9, 0.35, 0.5], 'max')).toBe(0.9);
		expect(aggregate([0.9, 0.3, 0.6], 'mean')).toBeCloseTo(0.6, 12);
	});
});

describe('toDistribution', () => {
	it('reads arrays, label maps and {label, score} lists', () => {
		expect(toDistribution([0.1, 0.9])).toEqual({ labels: ['0', '1'], probabilities: [0.1, 0.9] });
		expect(toDistribution({ POS: 0.8, NEG: 0.2 })).toEqual({ labels: ['POS', 'NEG'], probabilities: [0.8, 0.2] });
		expect(toDistribution([{ label: 'A', score: 0.6 }, { label: 'B', probability: 0.4 }])).toEqual({
			labels: ['A', 'B'],
			probabilities: [0.6, 0.4],
		});
	});

	it('rejects values outside 0..1, non-numbers and empty lists', () => {
		expect(() => toDistribution([1.5])).toThrow('"0" probability 1.5 is outside 0–1');
		expect(() => toDistribution({ A: 'high' })).toThrow(/not a number/);
		expect(() => toDistribution([])).toThrow(/empty/);
		expect(() => toDistribution(0.5)).toThrow(/expected a probability list/);
	});
});

describe('measureConfidence', () => {
	it('reads a field (numeric strings included) and says what it measured', () => {
		expect(measureConfidence({ prediction: { confidence: 0.73 } }, { source: 'field', path: 'prediction.confidence' })).toEqual({
			ok: true,
			confidence: 0.73,
			uncertainty: 1 - 0.73,
			measure: 'prediction.confidence',
		});
		const fromText = measureConfidence({ score: ' 0.25 ' }, { source: 'field', path: 'score' });
		expect(fromText).toMatchObject({ ok: true, confidence: 0.25 });
	});

	it('gives a reason for missing and non-numeric values instead of throwing', () => {
		expect(measureConfidence({}, { source: 'field', path: 'score' })).toEqual({
			ok: false,
			reason: 'score is missing',
			problem: 'unreadable',
		});
		expect(measureConfidence({ score: 'high' }, { source: 'field', path: 'score' })).toEqual({
			ok: false,
			reason: 'score is not a number ("high")',
			problem: 'unreadable',
		});
		expect(measureConfidence({ score: null }, { source: 'field', path: 'score' })).toEqual({
			ok: false,
			reason: 'score is not a number (null)',
			problem: 'unreadable',
		});
		expect(measureConfidence({ spans: [] }, { source: 'spans', path: 'spans[*].score' })).toEqual({
			ok: false,
			reason: 'no values at spans[*].score',
			problem: 'unreadable',
		});
		expect(measureConfidence({ cats: { A: 2 } }, { source: 'distribution', path: 'cats' })).toEqual({
			ok: false,
			reason: 'cats: "A" probability 2 is outside 0–1',
			problem: 'outOfScale',
		});
	});

	it('aggregates span scores', () => {
		const item = { spans: [{ score: 0.9 }, { score: 0.35 }, { score: 0.5 }] };
		expect(measureConfidence(item, { source: 'spans', path: 'spans[*].score' })).toMatchObject({
			ok: true,
			confidence: 0.35,
			measure: 'min of spans[*].score',
		});
		expect(measureConfidence(item, { source: 'spans', path: 'spans[*].score', aggregation: 'max' })).toMatchObject({
			confidence: 0.9,
		});
		expect(measureConfidence({ spans: [{ score: 0.9 }, { score: 'x' }] }, { source: 'spans', path: 'spans[*].score' })).toMatchObject({
			ok: false,
		});
	});

	it('turns a distribution into confidence = 1 - uncertainty for each measure', () => {
		const item = { cats: { A: 0.7, B: 0.2, C: 0.1 } };
		const lc = measureConfidence(item, { source: 'distribution', path: 'cats', measure: 'leastConfidence' });
		expect(lc).toMatchObject({ ok: true, measure: 'top probability of cats' });
		if (!lc.ok) throw new Error('expected ok');
		expect(lc.confidence).toBeCloseTo(0.7, 12);
		expect(lc.uncertainty).toBeCloseTo(0.3, 12);
		const m = measureConfidence(item, { source: 'distribution', path: 'cats', measure: 'margin' });
		if (!m.ok) throw new Error('expected ok');
		expect(m.confidence).toBeCloseTo(0.5, 12);
		const e = measureConfidence(item, { source: 'distribution', path: 'cats', measure: 'entropy' });
		if (!e.ok) throw new Error('expected ok');
		expect(e.uncertainty).toBeCloseTo(0.7298467, 6);
		expect(e.confidence).toBeCloseTo(1 - 0.7298467, 6);
	});
});

// The bug of issue 24: a percentage (97) was read as confidence 97, uncertainty -96, and passed as confident.
describe('score scale', () => {
	const field = { source: 'field' as const, path: 'score' };

	it('refuses a percentage read on the default 0–1 scale instead of passing it as confidence 97', () => {
		expect(measureConfidence({ score: 97 }, field)).toEqual({ ok: false, reason: 'score 97 is outside 0–1', problem: 'outOfScale' });
		expect(measureConfidence({ score: '97' }, field)).toMatchObject({ ok: false, problem: 'outOfScale' });
	});

	it('divides a percentage by 100 on the 0–100 scale and says so in the measure', () => {
		expect(measureConfidence({ score: 97 }, { ...field, scale: 'percent' })).toEqual({
			ok: true,
			confidence: 0.97,
			uncertainty: 1 - 0.97,
			measure: 'score / 100',
		});
		expect(measureConfidence({ score: 100 }, { ...field, scale: 'percent' })).toMatchObject({ confidence: 1 });
		expect(measureConfidence({ score: 0 }, { ...field, scale: 'percent' })).toMatchObject({ confidence: 0 });
		expect(measureConfidence({ score: 101 }, { ...field, scale: 'percent' })).toEqual({
			ok: false,
			reason: 'score 101 is outside 0–100',
			problem: 'outOfScale',
		});
	});

	it('accepts both ends of 0–1 and refuses anything outside, NaN and non-numbers', () => {
		expect(measureConfidence({ score: 0 }, field)).toMatchObject({ ok: true, confidence: 0 });
		expect(measureConfidence({ score: 1 }, field)).toMatchObject({ ok: true, confidence: 1 });
		expect(measureConfidence({ score: -0.1 }, field)).toEqual({ ok: false, reason: 'score -0.1 is outside 0–1', problem: 'outOfScale' });
		expect(measureConfidence({ score: 1.0001 }, field)).toMatchObject({ ok: false, problem: 'outOfScale' });
		expect(measureConfidence({ score: Infinity }, field)).toMatchObject({ ok: false, reason: 'score Infinity is outside 0–1' });
		// NaN is named as such (JSON would print it as null).
		expect(measureConfidence({ score: NaN }, field)).toEqual({ ok: false, reason: 'score is not a number (NaN)', problem: 'unreadable' });
		expect(measureConfidence({ score: 'abc' }, field)).toEqual({
			ok: false,
			reason: 'score is not a number ("abc")',
			problem: 'unreadable',
		});
	});

	it('applies to span scores and class probabilities too', () => {
		const spans = { spans: [{ score: 90 }, { score: 35 }] };
		expect(measureConfidence(spans, { source: 'spans', path: 'spans[*].score', scale: 'percent' })).toMatchObject({
			ok: true,
			confidence: 0.35,
			measure: 'min of spans[*].score / 100',
		});
		expect(measureConfidence(spans, { source: 'spans', path: 'spans[*].score' })).toEqual({
			ok: false,
			reason: 'spans[*].score value 90 is outside 0–1',
			problem: 'outOfScale',
		});
		const percent = measureConfidence({ cats: { A: 70, B: 20, C: 10 } }, { source: 'distribution', path: 'cats', scale: 'percent', measure: 'margin' });
		if (!percent.ok) throw new Error('expected ok');
		expect(percent.confidence).toBeCloseTo(0.5, 12);
		expect(percent.measure).toBe('margin of cats / 100');
	});

	it('reads one score with scoreValue, refusing an unknown scale in validateSpec', () => {
		expect(scoreValue(' 42 ', 'score', 'percent')).toBe(0.42);
		expect(() => scoreValue(42, 'score')).toThrow('score 42 is outside 0–1');
		expect(() => validateSpec({ ...field, scale: 'percentage' as never })).toThrow('Unknown score scale "percentage"');
	});
});

describe('finding the score: several paths, confidence as readily as score', () => {
	const defaults = { source: 'field' as const, path: 'score, confidence' };

	it('splits a path list at commas outside brackets', () => {
		expect(splitPaths('score, confidence')).toEqual(['score', 'confidence']);
		expect(splitPaths('score')).toEqual(['score']);
		expect(splitPaths('cats["a,b"], meta.score')).toEqual(['cats["a,b"]', 'meta.score']);
		expect(() => validateSpec({ source: 'field', path: 'score,' })).toThrow(/it is empty/);
	});

	it('finds a field named confidence when there is no score, and prefers score when both exist', () => {
		expect(measureConfidence({ confidence: 0.42 }, defaults)).toEqual({ ok: true, confidence: 0.42, uncertainty: 1 - 0.42, measure: 'confidence' });
		expect(measureConfidence({ score: 0.9, confidence: 0.1 }, defaults)).toMatchObject({ confidence: 0.9, measure: 'score' });
		expect(measureConfidence({}, defaults)).toEqual({ ok: false, reason: 'score and confidence are missing', problem: 'unreadable' });
	});

	it('does not skip over a score that is present but unusable', () => {
		expect(measureConfidence({ score: null, confidence: 0.9 }, defaults)).toEqual({
			ok: false,
			reason: 'score is not a number (null)',
			problem: 'unreadable',
		});
	});

	it('finds span confidences and {label, confidence} entries the same way', () => {
		const spans = { spans: [{ confidence: 0.7 }, { confidence: 0.4 }] };
		expect(measureConfidence(spans, { source: 'spans', path: 'spans[*].score, spans[*].confidence' })).toMatchObject({
			ok: true,
			confidence: 0.4,
			measure: 'min of spans[*].confidence',
		});
		expect(measureConfidence({ spans: [{}] }, { source: 'spans', path: 'spans[*].score, spans[*].confidence' })).toMatchObject({
			reason: 'no values at spans[*].score or spans[*].confidence',
		});
		expect(toDistribution([{ label: 'A', confidence: 0.6 }, { label: 'B', score: 0.4, confidence: 0.9 }])).toEqual({
			labels: ['A', 'B'],
			probabilities: [0.6, 0.4],
		});
	});
});

describe('routeByConfidence', () => {
	const thresholds = { review: 0.8, discardBelow: 0.2 };
	it('routes strictly below the thresholds and says why', () => {
		expect(routeByConfidence(0.1, 'score', thresholds)).toEqual({
			route: 'discard',
			threshold: 0.2,
			reason: 'confidence 0.1 (score) is below the discard floor 0.2',
		});
		expect(routeByConfidence(0.5, 'score', thresholds)).toMatchObject({ route: 'review', threshold: 0.8 });
		expect(routeByConfidence(0.8, 'score', thresholds)).toMatchObject({ route: 'confident', threshold: 0.8 });
		expect(routeByConfidence(0.2, 'score', thresholds).route).toBe('review');
		expect(routeByConfidence(0.1, 'score', { review: 0.8 }).route).toBe('review');
	});
});

describe('mostUncertain', () => {
	it('keeps the K most uncertain, ties in input order, with ranks', () => {
		const candidates = [
			{ index: 0, uncertainty: 0.2 },
			{ index: 1, uncertainty: 0.9 },
			{ index: 2, uncertainty: 0.5 },
			{ index: 3, uncertainty: 0.9 },
			{ index: 4, uncertainty: 0.5 },
		];
		expect([...mostUncertain(candidates, 3)]).toEqual([
			[1, 1],
			[3, 2],
			[2, 3],
		]);
		expect(mostUncertain(candidates, 0).size).toBe(0);
		expect(mostUncertain(candidates, 10).size).toBe(5);
	});
});

describe('reviewOrder', () => {
	it('puts items without a confidence first, then the most uncertain; ties keep input order', () => {
		expect(reviewOrder([0.3, null, 0.9, 0.3, Number.NEGATIVE_INFINITY, 0.5])).toEqual([1, 2, 5, 0, 3, 4]);
		expect(reviewOrder([])).toEqual([]);
	});
});
