import {
	aggregate,
	leastConfidence,
	margin,
	measureConfidence,
	mostUncertain,
	normalizedEntropy,
	routeByConfidence,
	toDistribution,
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
		expect(() => toDistribution([1.5])).toThrow(/outside 0..1/);
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
		expect(measureConfidence({}, { source: 'field', path: 'score' })).toEqual({ ok: false, reason: 'score is missing' });
		expect(measureConfidence({ score: 'high' }, { source: 'field', path: 'score' })).toEqual({
			ok: false,
			reason: 'score is not a number ("high")',
		});
		expect(measureConfidence({ score: null }, { source: 'field', path: 'score' })).toEqual({
			ok: false,
			reason: 'score is not a number (null)',
		});
		expect(measureConfidence({ spans: [] }, { source: 'spans', path: 'spans[*].score' })).toEqual({
			ok: false,
			reason: 'no values at spans[*].score',
		});
		expect(measureConfidence({ cats: { A: 2 } }, { source: 'distribution', path: 'cats' })).toEqual({
			ok: false,
			reason: 'cats: probability of "A" is outside 0..1 (2)',
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
