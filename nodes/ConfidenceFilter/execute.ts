import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { DatabaseFileMissingError, ProdigyInputError } from '../../lib/errors';
import { roundTo } from '../../lib/format';
import { HASH_PRESETS, setHashes } from '../../lib/hashing';
import { setPathValue } from '../../lib/paths';
import type { JsonObject, ProdigyStore } from '../../lib/store/types';
import {
	measureConfidence,
	mostUncertain,
	reviewOrder,
	routeByConfidence,
	validateSpec,
	type Aggregation,
	type ConfidenceRoute,
	type ConfidenceSource,
	type ConfidenceSpec,
	type ScoreScale,
	type UncertaintyMeasure,
} from '../../lib/uncertainty';
import { readDataset } from '../shared/descriptions';
import { errorKit, type ErrorKit } from '../shared/items';
import { decideEach, routeItems, type ItemRoute } from '../shared/routing';
import { DATABASE_CREDENTIAL, withNodeStore } from '../shared/store';

const SCORE_DECIMALS = 4;
const OUTPUT_INDEX: Record<ConfidenceRoute, number> = { review: 0, confident: 1, discard: 2 };
const OUTPUT_LABEL: Record<ConfidenceRoute, string> = { review: 'needsReview', confident: 'confident', discard: 'discard' };

interface Assessment {
	route: ConfidenceRoute | 'drop';
	confidence: number | null;
	uncertainty: number | null;
	measure: string | null;
	threshold: number | null;
	reason: string;
	rank?: number;
}

interface FilterOptions {
	resultField?: string;
	writeScore?: boolean;
	reviewOrder?: 'mostUncertainFirst' | 'input';
	hashPreset?: 'default' | 'review';
}

function specFor(ctx: IExecuteFunctions, itemIndex: number, scale: ScoreScale): ConfidenceSpec {
	const source = ctx.getNodeParameter('source', itemIndex) as ConfidenceSource;
	if (source === 'spans') {
		return {
			source,
			path: ctx.getNodeParameter('spanPath', itemIndex) as string,
			aggregation: ctx.getNodeParameter('aggregation', itemIndex) as Aggregation,
			scale,
		};
	}
	if (source === 'distribution') {
		return {
			source,
			path: ctx.getNodeParameter('probabilityPath', itemIndex) as string,
			measure: ctx.getNodeParameter('measure', itemIndex) as UncertaintyMeasure,
			scale,
		};
	}
	return { source: 'field', path: ctx.getNodeParameter('scorePath', itemIndex) as string, scale };
}

/**
 * Thresholds are confidences 0..1 whatever the Score Scale. With percentages, a threshold above 1 is the mistake
 * "80 for 80%" and would send every item to review; with 0..1 such a threshold keeps its old meaning (review all).
 */
function checkThreshold(name: string, value: number, scale: ScoreScale, itemIndex: number): void {
	if (scale !== 'percent' || value <= 1) return;
	throw new ProdigyInputError(`Item ${itemIndex}: ${name} is ${value}, but thresholds are confidences from 0 to 1`, {
		hint: `Thresholds stay 0–1 when Score Scale is 0–100 (the scores are divided by 100): use ${value / 100} for ${value}%.`,
		index: itemIndex,
	});
}

/** Routing of one item by its own confidence, before the run-wide steps (dedupe, top-K). */
function assess(ctx: IExecuteFunctions, itemIndex: number, item: INodeExecutionData, discardEnabled: boolean): Assessment {
	const scale = ctx.getNodeParameter('scoreScale', itemIndex, 'fraction') as ScoreScale;
	const spec = specFor(ctx, itemIndex, scale);
	validateSpec(spec);
	const result = measureConfidence(item.json, spec);
	if (!result.ok && result.problem === 'outOfScale') {
		// Never routed: a percentage read as 0..1 would otherwise pass as "confidence 97" (or, below 0, vanish into
		// Discard), and every other item of the run is likely on the same wrong scale.
		throw new ProdigyInputError(
			`Item ${itemIndex}: ${result.reason}; ${
				scale === 'fraction'
					? 'set Score Scale to 0–100 if your model gives percentages'
					: 'with Score Scale 0–100 every score must be a percentage'
			}`,
			{
				hint:
					scale === 'fraction'
						? 'Score Scale 0–1 expects fractions such as 0.97. For percentages such as 97, set Score Scale to 0–100 (the thresholds stay 0–1). Otherwise check the score path and the model output.'
						: 'Score Scale 0–100 expects percentages such as 97. For fractions such as 0.97, set Score Scale to 0–1. Otherwise check the score path and the model output.',
				index: itemIndex,
			},
		);
	}
	if (!result.ok) {
		if (ctx.getNodeParameter('onMissing', itemIndex) === 'error') {
			throw new ProdigyInputError(`No usable confidence in item ${itemIndex}: ${result.reason}`, {
				hint: 'Check the path, or set "When Confidence Is Missing" to send such items to Needs Review.',
				index: itemIndex,
			});
		}
		return {
			route: 'review',
			confidence: null,
			uncertainty: null,
			measure: null,
			threshold: null,
			reason: `confidence unavailable: ${result.reason}`,
		};
	}
	const review = ctx.getNodeParameter('reviewThreshold', itemIndex) as number;
	checkThreshold('Review Below', review, scale, itemIndex);
	const discardBelow = discardEnabled ? (ctx.getNodeParameter('discardThreshold', itemIndex) as number) : undefined;
	if (discardBelow !== undefined) checkThreshold('Discard Below', discardBelow, scale, itemIndex);
	const decision = routeByConfidence(result.confidence, result.measure, { review, discardBelow });
	return {
		route: decision.route,
		confidence: result.confidence,
		uncertainty: result.uncertainty,
		measure: result.measure,
		threshold: decision.threshold,
		reason: decision.reason,
	};
}

/** Input hashes (Prodigy's, or the carried `_input_hash`) of the items that are already in the dataset. */
async function existingInputs(store: ProdigyStore, dataset: string, hashes: Set<number>): Promise<Set<number>> {
	const found = new Set<number>();
	// A dataset that does not exist yet (a review queue before its first ingest) holds nothing to skip; nor does a
	// SQLite database whose file Prodigy (or the ingest after this node) has yet to create.
	const present = await store.hasSchema().then(
		async (schema) => schema && (await store.getDataset(dataset)) !== null,
		async (error: unknown) => (error instanceof DatabaseFileMissingError ? false : await Promise.reject(error)),
	);
	if (!present) return found;
	// The store has no hash lookup, so this reads the dataset once; only hashes of this run are kept.
	for await (const example of store.getExamples(dataset)) {
		if (hashes.has(example.inputHash)) found.add(example.inputHash);
	}
	return found;
}

function explanation(assessment: Assessment): IDataObject {
	const route = assessment.route === 'drop' ? 'discard' : assessment.route;
	const result: IDataObject = {
		output: OUTPUT_LABEL[route],
		confidence: assessment.confidence,
		uncertainty: assessment.uncertainty,
		measure: assessment.measure,
		threshold: assessment.threshold,
		reason: assessment.reason,
	};
	if (assessment.rank !== undefined) result.rank = assessment.rank;
	return result;
}

export async function executeConfidenceFilter(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!(this.getNodeParameter('skipExisting', 0) as boolean)) {
		const kit = errorKit(this.getNode(), undefined);
		try {
			return await filter(this, kit);
		} catch (error) {
			// Failures outside one item's handling (settings) concern the whole run: reported on item 0.
			throw kit.nodeError(error, 0);
		}
	}
	// The credential is optional on this node, and n8n's own message for a missing optional credential
	// ("Node does not require credentials") would mislead.
	if (!this.getNode().credentials?.[DATABASE_CREDENTIAL]) {
		throw errorKit(this.getNode(), undefined).nodeError(
			new ProdigyInputError('"Skip Inputs Already in a Dataset" needs a Prodigy Database credential', {
				hint: 'Select a Prodigy Database credential on the node, or turn the option off.',
			}),
			0,
		);
	}
	return await withNodeStore(this, async (run) => await filter(this, run, run.store));
}

/** The routing of one run; `store` is given when inputs already in a dataset are to be skipped. */
async function filter(ctx: IExecuteFunctions, kit: ErrorKit, store?: ProdigyStore): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const discardEnabled = ctx.getNodeParameter('discardOutput', 0) as boolean;
	const outputCount = discardEnabled ? 3 : 2;
	const options = ctx.getNodeParameter('options', 0, {}) as FilterOptions;
	const resultField = (options.resultField ?? 'confidenceFilter').trim();

	const assessments = await decideEach(ctx, (itemIndex, item) => assess(ctx, itemIndex, item, discardEnabled));

	if (store) {
		const dataset = readDataset(ctx, 0);
		const hashOptions = HASH_PRESETS[options.hashPreset ?? 'default'];
		const hashes = new Map<number, number>();
		assessments.forEach((assessment, itemIndex) => {
			if ('error' in assessment) return;
			try {
				hashes.set(itemIndex, setHashes(items[itemIndex].json as JsonObject, hashOptions)._input_hash as number);
			} catch (error) {
				assessments[itemIndex] = { error };
			}
		});
		const existing = await existingInputs(store, dataset, new Set(hashes.values()));
		for (const [itemIndex, hash] of hashes) {
			if (!existing.has(hash)) continue;
			const assessment = assessments[itemIndex] as Assessment;
			assessments[itemIndex] = {
				...assessment,
				route: discardEnabled ? 'discard' : 'drop',
				threshold: null,
				reason: `input ${hash} is already in dataset "${dataset}"`,
			};
		}
	}

	if (ctx.getNodeParameter('limitReview', 0) as boolean) {
		const limit = ctx.getNodeParameter('reviewLimit', 0) as number;
		const overflow = ctx.getNodeParameter('overflowOutput', 0) as 'confident' | 'discard';
		if (overflow === 'discard' && !discardEnabled) {
			throw new ProdigyInputError('"Send the Rest To" is Discard, but the node has no Discard output', {
				hint: 'Turn on "Add Discard Output", or send the rest to Confident.',
			});
		}
		// Items without a confidence cannot be ranked: they stay in review and do not use up the K places.
		const candidates = assessments.flatMap((assessment, index) =>
			!('error' in assessment) && assessment.route === 'review' && assessment.uncertainty !== null
				? [{ index, uncertainty: assessment.uncertainty }]
				: [],
		);
		const ranks = mostUncertain(candidates, candidates.length);
		for (const [index, rank] of ranks) {
			const assessment = assessments[index] as Assessment;
			assessment.rank = rank;
			if (rank > limit) {
				assessment.route = overflow;
				assessment.reason = `${assessment.reason}, but it is uncertainty rank ${rank} of this run and only the ${limit} most uncertain go to review`;
			}
		}
	}

	const routes = await decideEach(ctx, (itemIndex, item): ItemRoute => {
		const assessment = assessments[itemIndex];
		if ('error' in assessment) return assessment;
		if (assessment.route === 'drop') return null;
		let json: IDataObject = { ...item.json };
		if (options.writeScore && assessment.confidence !== null && assessment.uncertainty !== null) {
			// Prodigy shows meta.score in its UI and ignores `score` / `priority` when hashing, so neither
			// changes the task's identity. Rounded to 4 decimals: annotators read it (0.04, not 0.03999999999999998),
			// and 4 decimals still order any two predictions a person could tell apart.
			json = setPathValue(json, 'meta.score', roundTo(assessment.confidence, SCORE_DECIMALS)) as IDataObject;
			json.priority = roundTo(assessment.uncertainty, SCORE_DECIMALS);
		}
		if (resultField !== '') json = setPathValue(json, resultField, explanation(assessment)) as IDataObject;
		return { output: OUTPUT_INDEX[assessment.route], json };
	});
	const outputs = routeItems(ctx, outputCount, routes, { errorOutput: OUTPUT_INDEX.review, nodeError: kit.nodeError });
	if ((options.reviewOrder ?? 'mostUncertainFirst') === 'mostUncertainFirst') {
		// Prodigy serves a queue dataset in the order its tasks were added, so the order here is the annotators' order.
		// Failed items (continue-on-fail) go last: they are no task to review.
		const review = outputs[OUTPUT_INDEX.review];
		const uncertainty = (item: INodeExecutionData): number | null => {
			const assessment = assessments[(item.pairedItem as IPairedItemData).item];
			return 'error' in assessment ? Number.NEGATIVE_INFINITY : assessment.uncertainty;
		};
		outputs[OUTPUT_INDEX.review] = reviewOrder(review.map(uncertainty)).map((position) => review[position]);
	}
	return outputs;
}
