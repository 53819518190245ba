// Percent agreement, Krippendorff's alpha and Gwet's AC2 against published worked examples. Each data set is
// copied from the source named above it; each expected value is the published one, compared to the decimals the
// source prints (4 where it prints 4 or more).
import { gwetAC2, krippendorffAlpha, reliabilityCoefficients } from '../../lib/iaa';
import type { UnitRatings } from '../../lib/iaa';

const _ = null;
const fixed = (value: number | null | undefined, digits = 4): string | null => (value === null || value === undefined ? null : value.toFixed(digits));

describe('Gwet, Handbook of Inter-Rater Reliability (4th ed., 2014), p. 120: 4 raters, 12 subjects, 5 categories', () => {
	// Data: Gwet's irrCAC R package, data set cac.raw4raters (inst/extdata/cac.raw4raters.csv, documented as "Gwet,
	// K.L. (2014) Handbook of Inter-Rater Reliability, 4th Edition, page #120"). The same table is Krippendorff's
	// (Content Analysis, 2nd ed., 2004, p. 230; "Computing Krippendorff's Alpha-Reliability", 2011) and data set 1 of
	// Gwet, "On Krippendorff's Alpha Coefficient" (2015), which prodigy-iaa's tests use (tests/conftest.py).
	// Rows are subjects, columns Rater1..Rater4; null = not rated.
	const raw4raters: UnitRatings[] = [
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
	const result = reliabilityCoefficients(raw4raters);

	it('percent agreement 0.8182 (irrCAC pa.coeff.raw: 0.8181818; Gwet 2015 / prodigy-iaa: 0.8182)', () => {
		expect(fixed(result.percentAgreement)).toBe('0.8182');
		expect(result.percentAgreement).toBeCloseTo(0.8181818, 7);
	});

	it("Krippendorff's alpha 0.7434 (irrCAC krippen.alpha.raw: 0.74342 with p_a 0.805, p_e 0.24; Krippendorff 2004: .743)", () => {
		expect(fixed(result.krippendorffAlpha)).toBe('0.7434');
		expect(result.krippendorffAlpha).toBeCloseTo(0.74342, 5);
		expect(fixed(result.alpha?.observed, 3)).toBe('0.805');
		expect(fixed(result.alpha?.expected, 2)).toBe('0.24');
		expect(krippendorffAlpha(raw4raters)).toBe(result.krippendorffAlpha);
	});

	it("Gwet's AC2 0.7754 (irrCAC gwet.ac1.raw, unweighted: 0.77544 with p_e 0.1903212; Gwet 2015 / prodigy-iaa: 0.7754)", () => {
		expect(fixed(result.gwetAC2)).toBe('0.7754');
		expect(result.gwetAC2).toBeCloseTo(0.77544, 5);
		expect(result.ac2?.expected).toBeCloseTo(0.1903212, 7);
		expect(gwetAC2(raw4raters)).toBe(result.gwetAC2);
	});

	it('counts what Prodigy prints as Examples, Co-Incident Examples and Single Annotation Examples', () => {
		expect(result).toMatchObject({ units: 12, coincidentUnits: 11, singleRatingUnits: 1, ratings: 41 });
		expect([...result.categories].sort()).toEqual([1, 2, 3, 4, 5]);
	});
});

describe('Hayes & Krippendorff (2007), "Answering the Call for a Standard Reliability Measure for Coding Data", p. 84', () => {
	// Data: 5 observers, 40 units, values 0-3 (Communication Methods and Measures 1(1):77-89), as prodigy-iaa's
	// tests/conftest.py (reliability_data2) and DKPro Statistics' HayesKrippendorff2007Test transcribe it.
	// Nominal values from Gwet, "On Krippendorff's Alpha Coefficient" (2015, p. 16), as prodigy-iaa's
	// tests/test_measures.py asserts them: percent agreement 0.6250, alpha 0.4765, AC2 0.5093. (Thomas Grill's
	// implementation gives nominal alpha 0.477 for the same data, per raoulbia/nltk-krippendorff-validation.)
	const data: UnitRatings[] = [
		[1, 1, 2, _, 2],
		[1, 1, 0, 1, _],
		[2, 3, 3, 3, _],
		[_, 0, 0, _, 0],
		[0, 0, 0, _, 0],
		[0, 0, 0, _, 0],
		[1, 0, 2, _, 1],
		[1, _, 2, 0, _],
		[2, 2, 2, _, 2],
		[2, 1, 1, 1, _],
		[_, 1, 0, 0, _],
		[0, 0, 0, 0, _],
		[1, 2, 2, 2, _],
		[3, 3, 2, 2, 3],
		[1, 1, 1, _, 1],
		[1, 1, 1, _, 1],
		[2, 1, 2, _, 2],
		[1, 2, 3, 3, _],
		[1, 1, 0, 1, _],
		[0, 0, 0, _, 0],
		[0, 0, 1, 1, _],
		[0, 0, _, 0, 0],
		[2, 3, 3, 3, _],
		[0, 0, 0, 0, _],
		[1, 2, _, 2, 2],
		[0, 1, 1, 1, _],
		[0, 0, 0, 1, 0],
		[1, 2, 1, 2, _],
		[1, 1, 2, 2, _],
		[1, 1, 2, _, 2],
		[1, 1, 0, _, 0],
		[2, 1, 2, 1, _],
		[2, 2, _, 2, 2],
		[3, 2, 2, 2, _],
		[2, 2, 2, _, 2],
		[2, 2, 3, _, 2],
		[2, 2, 2, _, 2],
		[2, 2, _, 1, 2],
		[2, 2, 2, 2, _],
		[1, 1, 1, _, 1],
	];

	it('reproduces percent agreement 0.6250, alpha 0.4765 and AC2 0.5093', () => {
		const result = reliabilityCoefficients(data);
		expect(fixed(result.percentAgreement)).toBe('0.6250');
		expect(fixed(result.krippendorffAlpha)).toBe('0.4765');
		expect(fixed(result.gwetAC2)).toBe('0.5093');
		expect(result).toMatchObject({ units: 40, coincidentUnits: 40, singleRatingUnits: 0 });
	});

	it("Gwet's Handbook (4th ed.) 15-unit excerpt of it: alpha .481, AC1 .497 (irrCAC cac.raw5obser)", () => {
		// irrCAC's cac.raw5obser is the first 15 rows ("a larger version of this table can be found on page #125").
		// Expected values to 3 decimals as afergadis/irrCAC (a Python port of irrCAC) asserts them in
		// test/unit/irrCAC/raw/test_krippendorff.py and test_gwet.py: alpha p_a .627, p_e .282, .481; AC1 p_a .616,
		// p_e .236, .497.
		const result = reliabilityCoefficients(data.slice(0, 15));
		expect(fixed(result.alpha?.observed, 3)).toBe('0.627');
		expect(fixed(result.alpha?.expected, 3)).toBe('0.282');
		expect(fixed(result.krippendorffAlpha, 3)).toBe('0.481');
		expect(fixed(result.ac2?.observed, 3)).toBe('0.616');
		expect(fixed(result.ac2?.expected, 3)).toBe('0.236');
		expect(fixed(result.gwetAC2, 3)).toBe('0.497');
	});
});

describe("Krippendorff's own examples (Content Analysis, 2nd ed., 2004)", () => {
	// Data and published values as DKPro Statistics' Krippendorff2004Test transcribes them (its createExample1/2).
	it('p. 224, binary data, 2 observers, 10 units: percent agreement .600, alpha .095', () => {
		const data: UnitRatings[] = [
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
		const result = reliabilityCoefficients(data);
		expect(fixed(result.percentAgreement, 3)).toBe('0.600');
		expect(fixed(result.krippendorffAlpha, 3)).toBe('0.095');
		// Krippendorff's binary form: alpha = 1 − (n − 1)·o₀₁ / (n₀·n₁) with n = 20 values, o₀₁ = 4 disagreeing
		// units, n₀ = 14 zeros, n₁ = 6 ones: 1 − 19·4/84 = 2/21 = 0.0952.
		expect(fixed(result.krippendorffAlpha)).toBe('0.0952');
		expect(result.krippendorffAlpha).toBeCloseTo(2 / 21, 12);
	});

	it('p. 227, nominal data, 2 observers, 12 units: percent agreement .833, alpha .734', () => {
		const pairs: Array<[string, string]> = [
			['a', 'a'],
			['a', 'b'],
			['b', 'b'],
			['b', 'b'],
			['b', 'b'],
			['b', 'b'],
			['b', 'c'],
			['c', 'c'],
			['c', 'c'],
			['c', 'c'],
			['c', 'c'],
			['c', 'c'],
		];
		const result = reliabilityCoefficients(pairs);
		expect(fixed(result.percentAgreement, 3)).toBe('0.833');
		expect(fixed(result.krippendorffAlpha, 3)).toBe('0.734');
		// Coincidences: n = 24 values (a 3, b 10, c 11), 4 ordered disagreeing pairs (a-b, b-a, b-c, c-b):
		// alpha = 1 − 23·4 / (24² − 3² − 10² − 11²) = 1 − 92/346 = 127/173 = 0.7341.
		expect(fixed(result.krippendorffAlpha)).toBe('0.7341');
		expect(result.krippendorffAlpha).toBeCloseTo(127 / 173, 12);
	});
});

describe('boundary cases', () => {
	it('gives no value without a unit rated twice', () => {
		const result = reliabilityCoefficients([[1, _], [_, 2], [3]]);
		expect(result).toMatchObject({ percentAgreement: null, krippendorffAlpha: null, gwetAC2: null, units: 3, coincidentUnits: 0 });
		expect(result.undefinedReason).toMatch(/two or more annotators/);
		expect(reliabilityCoefficients([]).units).toBe(0);
	});

	it('leaves alpha undefined when every pairable rating is one category; AC2 is then the percent agreement', () => {
		const result = reliabilityCoefficients([['accept', 'accept'], ['accept', 'accept', 'accept'], ['reject']]);
		expect(result.percentAgreement).toBe(1);
		expect(result.krippendorffAlpha).toBeNull();
		expect(result.undefinedReason).toMatch(/same category/);
		expect(result.gwetAC2).toBe(1);
	});

	it('counts unused categories only in AC2 (q − 1), and refuses ratings outside the given categories', () => {
		const units: UnitRatings[] = [
			['a', 'a'],
			['a', 'b'],
			['b', 'b'],
		];
		const observed = reliabilityCoefficients(units);
		const wider = reliabilityCoefficients(units, { categories: ['a', 'b', 'c'] });
		expect(wider.krippendorffAlpha).toBe(observed.krippendorffAlpha);
		expect(wider.percentAgreement).toBe(observed.percentAgreement);
		// π_a = π_b = 1/2: p_e = (1/4 + 1/4)/(q − 1) = 1/2 with q = 2, 1/4 with q = 3.
		expect(observed.ac2?.expected).toBeCloseTo(0.5, 12);
		expect(wider.ac2?.expected).toBeCloseTo(0.25, 12);
		expect(() => reliabilityCoefficients(units, { categories: ['a'] })).toThrow(/outside the categories given: b/);
	});

	it('perfect agreement over several categories is 1 for all three', () => {
		const result = reliabilityCoefficients([[1, 1], [2, 2, 2], [3, 3]]);
		expect(result).toMatchObject({ percentAgreement: 1, krippendorffAlpha: 1, gwetAC2: 1 });
	});
});
