// Percent agreement, Krippendorff's alpha and Gwet's AC2 over "reliability data": units (Prodigy: inputs), each
// rated by any number of annotators, some ratings missing. These are the three statistics Prodigy's metric.iaa.*
// recipes report (https://prodi.gy/docs/metrics). The equations are the ones in K. L. Gwet, "On Krippendorff's
// Alpha Coefficient" (2015, https://agreestat.com/papers/onkrippendorffalpha_rev10052015.pdf), which the
// prodigy-iaa package (github.com/pmbaumgartner/prodigy-iaa, src/prodigy_iaa/measures.py) implements and which
// Gwet's own irrCAC R package uses (gwet.ac1.raw, krippen.alpha.raw). Nominal data: a pair of ratings agrees only
// when the categories are equal (identity weights; with them Gwet's AC2 is AC1). prodigy-iaa's default weighting is
// identity, and no Prodigy option for other weights is documented (unverified: Prodigy's source is not public).

export type Rating = string | number;

/** One unit's ratings, one entry per annotator; null / undefined = that annotator did not rate the unit. */
export type UnitRatings = readonly (Rating | null | undefined)[];

export interface ObservedExpected {
	/** Observed agreement (Gwet's p_a). */
	observed: number;
	/** Agreement expected by chance (Gwet's p_e). */
	expected: number;
}

export interface ReliabilityCoefficients {
	/** Mean over units rated at least twice of the share of agreeing rating pairs; null when no unit was. */
	percentAgreement: number | null;
	/** Krippendorff's alpha (nominal); null without a unit rated twice or when every pairable rating is one category. */
	krippendorffAlpha: number | null;
	/** Gwet's AC2 with identity weights (= AC1); null without a unit rated twice. */
	gwetAC2: number | null;
	alpha: ObservedExpected | null;
	ac2: ObservedExpected | null;
	/** Units with at least one rating (Prodigy's "Examples"). */
	units: number;
	/** Units with two or more ratings (Prodigy's "Co-Incident Examples"): the only ones agreement is observed on. */
	coincidentUnits: number;
	singleRatingUnits: number;
	/** Ratings over all units. */
	ratings: number;
	/** The categories q counts (those given, else those rated). */
	categories: Rating[];
	/** Why a coefficient is null, for the explanation of a failed rule. */
	undefinedReason?: string;
}

export interface CoefficientOptions {
	/**
	 * Every category a rating could take, rated or not. Only Gwet's AC2 depends on it (its chance agreement divides by
	 * q − 1); default: the categories that occur. A rating outside the list is an error.
	 */
	categories?: readonly Rating[];
}

function countsOf(ratings: UnitRatings): Map<Rating, number> {
	const counts = new Map<Rating, number>();
	for (const rating of ratings) {
		if (rating === null || rating === undefined) continue;
		counts.set(rating, (counts.get(rating) ?? 0) + 1);
	}
	return counts;
}

function total(counts: Map<Rating, number>): number {
	let sum = 0;
	for (const count of counts.values()) sum += count;
	return sum;
}

/**
 * The three coefficients from one pass over the units (Gwet 2015, equations for nominal data):
 * - percent agreement p_a = (1/n₂) Σᵢ Σₖ rᵢₖ(rᵢₖ − 1) / (rᵢ(rᵢ − 1)) over the n₂ units with rᵢ ≥ 2;
 * - Krippendorff's alpha: r̄ = mean rᵢ over those units, p′_a = (1/n₂) Σᵢ Σₖ rᵢₖ(rᵢₖ − 1) / (r̄(rᵢ − 1)),
 *   p_a = (1 − 1/(n₂r̄)) p′_a + 1/(n₂r̄), πₖ = Σᵢ rᵢₖ / (n₂r̄), p_e = Σₖ πₖ², α = (p_a − p_e) / (1 − p_e)
 *   (identical to Krippendorff's coincidence-matrix form: only pairable ratings count);
 * - Gwet's AC2: p_a as percent agreement, πₖ = (1/n) Σᵢ rᵢₖ / rᵢ over all n rated units (single ratings too),
 *   p_e = Σₖ πₖ(1 − πₖ) / (q − 1), AC2 = (p_a − p_e) / (1 − p_e).
 */
export function reliabilityCoefficients(units: readonly UnitRatings[], options: CoefficientOptions = {}): ReliabilityCoefficients {
	const rated = units.map(countsOf).filter((counts) => counts.size > 0);
	const seen = new Set<Rating>();
	for (const counts of rated) for (const category of counts.keys()) seen.add(category);
	let categories: Rating[];
	if (options.categories) {
		categories = [...new Set(options.categories)];
		const allowed = new Set(categories);
		const outside = [...seen].filter((category) => !allowed.has(category));
		if (outside.length > 0) throw new RangeError(`Ratings outside the categories given: ${outside.map(String).join(', ')}`);
	} else {
		categories = [...seen];
	}

	const sizes = rated.map(total);
	const coincident = rated.filter((_, i) => sizes[i] >= 2);
	const coincidentSizes = sizes.filter((size) => size >= 2);
	const ratings = sizes.reduce((sum, size) => sum + size, 0);
	const base = {
		units: rated.length,
		coincidentUnits: coincident.length,
		singleRatingUnits: rated.length - coincident.length,
		ratings,
		categories,
	};
	if (coincident.length === 0) {
		return {
			...base,
			percentAgreement: null,
			krippendorffAlpha: null,
			gwetAC2: null,
			alpha: null,
			ac2: null,
			undefinedReason: 'no unit was rated by two or more annotators',
		};
	}

	const n2 = coincident.length;
	const rBar = coincidentSizes.reduce((sum, size) => sum + size, 0) / n2;
	let sumPercent = 0;
	let sumAlpha = 0;
	const pairable = new Map<Rating, number>();
	coincident.forEach((counts, i) => {
		const r = coincidentSizes[i];
		for (const [category, count] of counts) {
			sumPercent += (count * (count - 1)) / (r * (r - 1));
			sumAlpha += (count * (count - 1)) / (rBar * (r - 1));
			pairable.set(category, (pairable.get(category) ?? 0) + count);
		}
	});
	const percentAgreement = sumPercent / n2;

	const epsilon = 1 / (n2 * rBar);
	const alphaObserved = (1 - epsilon) * (sumAlpha / n2) + epsilon;
	let alphaExpected = 0;
	for (const count of pairable.values()) alphaExpected += (count / (n2 * rBar)) ** 2;

	const share = new Map<Rating, number>();
	rated.forEach((counts, i) => {
		for (const [category, count] of counts) share.set(category, (share.get(category) ?? 0) + count / sizes[i] / rated.length);
	});
	const q = categories.length;
	let spread = 0;
	for (const pi of share.values()) spread += pi * (1 - pi);
	// One category only: irrCAC's gwet.ac1.raw sets p_e to 1e-15, so AC2 equals p_a (here exactly).
	const ac2Expected = q >= 2 ? spread / (q - 1) : 0;

	// Every pairable rating in one category: p_e = 1 and alpha is 0/0. Krippendorff leaves it undefined (the data
	// show no variation to be reliable about), so it is reported as no value rather than guessed.
	const alphaDefined = alphaExpected < 1 - 1e-12;
	return {
		...base,
		percentAgreement,
		krippendorffAlpha: alphaDefined ? (alphaObserved - alphaExpected) / (1 - alphaExpected) : null,
		gwetAC2: (percentAgreement - ac2Expected) / (1 - ac2Expected),
		alpha: { observed: alphaObserved, expected: alphaExpected },
		ac2: { observed: percentAgreement, expected: ac2Expected },
		...(alphaDefined ? {} : { undefinedReason: 'every rating on the units rated twice or more is the same category' }),
	};
}

/** Krippendorff's alpha (nominal) of the units; null when undefined (see reliabilityCoefficients). */
export function krippendorffAlpha(units: readonly UnitRatings[], options: CoefficientOptions = {}): number | null {
	return reliabilityCoefficients(units, options).krippendorffAlpha;
}

/** Gwet's AC2 (identity weights) of the units; null when no unit was rated twice. */
export function gwetAC2(units: readonly UnitRatings[], options: CoefficientOptions = {}): number | null {
	return reliabilityCoefficients(units, options).gwetAC2;
}
