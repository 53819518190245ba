// Pairwise F1 as an agreement measure for span annotations (NER, spancat), where chance-corrected coefficients do
// not apply: there is no fixed set of units to rate, and the "not a span" class is every other stretch of text.
// Hripcsak & Rothschild, "Agreement, the F-Measure, and Reliability in Information Retrieval", JAMIA 12(3):296-298
// (2005): the F-measure between two annotators (either as reference: it is symmetric) equals their positive
// specific agreement, 2·|A∩B| / (|A| + |B|), and the average over annotator pairs is the agreement of the group.
// Prodigy's metric.iaa.span reports F1 between annotator pairs (https://prodi.gy/docs/metrics); how Prodigy matches
// spans and averages is not in its public docs (unverified): here a span agrees when start, end and label are
// all equal, and the pairs' F1 (each pooled over the inputs both annotated) are averaged.

/** One input: each annotator's set of items (for spans: "start:end:label" keys). */
export type AnnotatorItems = ReadonlyMap<string, ReadonlySet<string>>;

export interface PairAgreement {
	annotators: [string, string];
	/** Inputs both annotated. */
	inputs: number;
	/** Items both marked. */
	agreed: number;
	/** Items each marked on those inputs. */
	itemsA: number;
	itemsB: number;
	/** 2·agreed / (itemsA + itemsB); null when neither marked anything on their shared inputs. */
	f1: number | null;
}

export interface PairwiseF1Result {
	/** Mean of the pairs' F1 (pairs without a value left out); null when no pair has one. */
	f1: number | null;
	pairs: PairAgreement[];
	/** Inputs annotated by two or more annotators. */
	coincidentInputs: number;
}

export function pairwiseF1(inputs: Iterable<AnnotatorItems>): PairwiseF1Result {
	const pairs = new Map<string, PairAgreement>();
	let coincidentInputs = 0;
	for (const input of inputs) {
		const annotators = [...input.keys()].sort();
		if (annotators.length < 2) continue;
		coincidentInputs++;
		for (let i = 0; i < annotators.length; i++) {
			for (let j = i + 1; j < annotators.length; j++) {
				const [a, b] = [annotators[i], annotators[j]];
				const key = JSON.stringify([a, b]);
				let pair = pairs.get(key);
				if (!pair) {
					pair = { annotators: [a, b], inputs: 0, agreed: 0, itemsA: 0, itemsB: 0, f1: null };
					pairs.set(key, pair);
				}
				const itemsA = input.get(a) as ReadonlySet<string>;
				const itemsB = input.get(b) as ReadonlySet<string>;
				pair.inputs++;
				pair.itemsA += itemsA.size;
				pair.itemsB += itemsB.size;
				for (const item of itemsA) if (itemsB.has(item)) pair.agreed++;
			}
		}
	}
	const list = [...pairs.values()].sort((x, y) => x.annotators.join('\u0000').localeCompare(y.annotators.join('\u0000')));
	for (const pair of list) {
		const marked = pair.itemsA + pair.itemsB;
		pair.f1 = marked === 0 ? null : (2 * pair.agreed) / marked;
	}
	const values = list.map((pair) => pair.f1).filter((f1): f1 is number => f1 !== null);
	return {
		f1: values.length === 0 ? null : values.reduce((sum, f1) => sum + f1, 0) / values.length,
		pairs: list,
		coincidentInputs,
	};
}
