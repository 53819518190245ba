import { existsSync } from 'node:fs';
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import { ConfidenceFilter } from '../../nodes/ConfidenceFilter/ConfidenceFilter.node';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { buildWorkflow, chain, runWorkflow } from '../helpers/workflow';

const TYPE = 'n8n-nodes-prodigy.confidenceFilter';
const nodeTypes = { [TYPE]: new ConfidenceFilter() };

function filterNode(parameters: INodeParameters, extra: Partial<INode> = {}) {
	return { name: 'Filter', type: TYPE, parameters, ...extra };
}

async function run(parameters: INodeParameters, items: IDataObject[], extra: Partial<INode> = {}, credentials = {}) {
	return await runWorkflow(chain([filterNode(parameters, extra)], { items }), { nodeTypes, credentials });
}

describe('Confidence Filter (workflow)', () => {
	it('routes by a score field to Needs Review / Confident / Discard and says why', async () => {
		const items = [
			{ id: 'a', prediction: { confidence: 0.95 } },
			{ id: 'b', prediction: { confidence: 0.5 } },
			{ id: 'c', prediction: { confidence: 0.05 } },
			{ id: 'd', prediction: { confidence: 0.8 } },
		];
		const result = await run(
			{ source: 'field', scorePath: 'prediction.confidence', reviewThreshold: 0.8, discardOutput: true, discardThreshold: 0.1 },
			items,
		);
		expect(result.status).toBe('success');
		expect(result.json('Filter', 0)).toEqual([
			{
				id: 'b',
				prediction: { confidence: 0.5 },
				confidenceFilter: {
					output: 'needsReview',
					confidence: 0.5,
					uncertainty: 0.5,
					measure: 'prediction.confidence',
					threshold: 0.8,
					reason: 'confidence 0.5 (prediction.confidence) is below the review threshold 0.8',
				},
			},
		]);
		expect(result.json('Filter', 1).map((json) => json.id)).toEqual(['a', 'd']);
		expect(result.json('Filter', 1)[1].confidenceFilter).toMatchObject({ output: 'confident', threshold: 0.8 });
		expect(result.json('Filter', 2)).toEqual([
			expect.objectContaining({
				id: 'c',
				confidenceFilter: expect.objectContaining({ output: 'discard', threshold: 0.1, reason: expect.stringContaining('discard floor 0.1') }),
			}),
		]);
		expect(result.output('Filter', 2)[0].pairedItem).toEqual({ item: 2 });
		expect(result.output('Filter', 1).map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
	});

	it('names its outputs the way n8n evaluates them: Discard only when added', () => {
		const labels = (discardOutput: boolean) => {
			const definition = chain([filterNode({ discardOutput })]);
			const workflow = buildWorkflow(definition, { nodeTypes });
			const node = workflow.getNode('Filter') as INode;
			return NodeHelpers.getNodeOutputs(workflow, node, nodeTypes[TYPE].description).map((output) =>
				typeof output === 'string' ? output : output.displayName,
			);
		};
		expect(labels(false)).toEqual(['Needs Review', 'Confident']);
		expect(labels(true)).toEqual(['Needs Review', 'Confident', 'Discard']);
	});

	it('has two outputs unless Discard is added, and then nothing is discarded', async () => {
		const result = await run({ scorePath: 'score', reviewThreshold: 0.5 }, [{ score: 0.01 }, { score: 0.9 }]);
		const main = result.run.data.resultData.runData.Filter[0].data?.main ?? [];
		expect(main).toHaveLength(2);
		expect(result.json('Filter', 0)).toHaveLength(1);
		expect(result.json('Filter', 1)).toHaveLength(1);
	});

	it('sends items without a usable confidence to Needs Review with the reason', async () => {
		const result = await run({ scorePath: 'score' }, [{ text: 'no score' }, { score: 'high' }]);
		expect(result.json('Filter', 0).map((json) => json.confidenceFilter)).toEqual([
			{ output: 'needsReview', confidence: null, uncertainty: null, measure: null, threshold: null, reason: 'confidence unavailable: score is missing' },
			{
				output: 'needsReview',
				confidence: null,
				uncertainty: null,
				measure: null,
				threshold: null,
				reason: 'confidence unavailable: score is not a number ("high")',
			},
		]);
	});

	it('fails with an item-indexed error when asked to, or emits an error item under continue-on-fail', async () => {
		const items = [{ score: 0.9 }, { text: 'no score' }];
		const failed = await run({ scorePath: 'score', onMissing: 'error' }, items);
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toBe('No usable confidence in item 1: score is missing');
		expect((failed.error as { context?: IDataObject }).context?.itemIndex).toBe(1);

		const continued = await run({ scorePath: 'score', onMissing: 'error' }, items, { onError: 'continueRegularOutput' });
		expect(continued.status).toBe('success');
		expect(continued.output('Filter', 0)).toEqual([{ json: { error: 'No usable confidence in item 1: score is missing' }, pairedItem: { item: 1 } }]);
		expect(continued.json('Filter', 1)).toHaveLength(1);
	});

	it('measures class probabilities (margin) and writes Prodigy meta.score / priority', async () => {
		const items = [
			{ text: 'close call', cats: { POS: 0.55, NEG: 0.45 }, meta: { source: 'crm' } },
			{ text: 'clear', cats: { POS: 0.97, NEG: 0.03 } },
		];
		const result = await run(
			{ source: 'distribution', probabilityPath: 'cats', measure: 'margin', reviewThreshold: 0.5, options: { writeScore: true } },
			items,
		);
		const [review] = result.json('Filter', 0);
		expect(review.text).toBe('close call');
		expect((review.meta as IDataObject).source).toBe('crm');
		// Rounded for people: 0.55 - 0.45 is 0.10000000000000003 in floating point.
		expect((review.meta as IDataObject).score).toBe(0.1);
		expect(review.priority).toBe(0.9);
		expect(review.confidenceFilter).toMatchObject({ output: 'needsReview', measure: 'margin of cats', threshold: 0.5 });
		const [confident] = result.json('Filter', 1);
		expect((confident.meta as IDataObject).score).toBe(0.94);
	});

	it('aggregates span scores', async () => {
		const items = [{ text: 'x', spans: [{ score: 0.99 }, { score: 0.4 }] }, { text: 'y', spans: [{ score: 0.9 }, { score: 0.95 }] }];
		const result = await run({ source: 'spans', spanPath: 'spans[*].score', aggregation: 'min', reviewThreshold: 0.85 }, items);
		expect(result.json('Filter', 0).map((json) => json.text)).toEqual(['x']);
		expect(result.json('Filter', 1).map((json) => json.text)).toEqual(['y']);
	});

	it('keeps only the K most uncertain for review, ties in input order, the rest to the chosen output', async () => {
		const scores = [0.6, 0.3, 0.95, 0.3, 0.5, 0.7];
		const items = scores.map((score, id) => ({ id, score }));
		const result = await run(
			{ scorePath: 'score', reviewThreshold: 0.8, limitReview: true, reviewLimit: 2, overflowOutput: 'discard', discardOutput: true, discardThreshold: 0 },
			items,
		);
		// Below 0.8: ids 0 (u 0.4), 1 (0.7), 3 (0.7), 4 (0.5), 5 (0.3). Most uncertain: 1, 3 (tie → input order).
		expect(result.json('Filter', 0).map((json) => [json.id, (json.confidenceFilter as IDataObject).rank])).toEqual([
			[1, 1],
			[3, 2],
		]);
		expect(result.json('Filter', 2).map((json) => [json.id, (json.confidenceFilter as IDataObject).rank])).toEqual([
			[0, 4],
			[4, 3],
			[5, 5],
		]);
		expect((result.json('Filter', 2)[0].confidenceFilter as IDataObject).reason).toContain('only the 2 most uncertain go to review');
		expect(result.json('Filter', 1).map((json) => json.id)).toEqual([2]);
	});

	it('refuses overflow to Discard without a Discard output', async () => {
		const result = await run({ scorePath: 'score', limitReview: true, reviewLimit: 1, overflowOutput: 'discard' }, [{ score: 0.1 }]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('no Discard output');
	});

	// Issue 24: a percentage (97) was read as confidence 97 and let through as confident.
	describe('score scale', () => {
		const PERCENT_HINT = 'set Score Scale to 0–100 if your model gives percentages';

		it('fails the item whose score is outside 0–1 on the default scale, naming the item and the fix', async () => {
			const result = await run({}, [{ score: 0.9 }, { score: 97 }]);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(`Item 1: score 97 is outside 0–1; ${PERCENT_HINT}`);
			expect((result.error as { context?: IDataObject }).context?.itemIndex).toBe(1);
			expect(result.error?.description).toContain('set Score Scale to 0–100');
		});

		it('under continue-on-fail emits {error} for that item only and routes the others normally', async () => {
			const items = [{ id: 'a', score: 0.9 }, { id: 'b', score: 97 }, { id: 'c', score: 0.3 }];
			const result = await run({}, items, { onError: 'continueRegularOutput' });
			expect(result.status).toBe('success');
			// Needs Review lists tasks to review first; a failed item is none, so it comes last.
			expect(result.output('Filter', 0)).toEqual([
				expect.objectContaining({ json: expect.objectContaining({ id: 'c' }), pairedItem: { item: 2 } }),
				{ json: { error: `Item 1: score 97 is outside 0–1; ${PERCENT_HINT}` }, pairedItem: { item: 1 } },
			]);
			expect(result.json('Filter', 1).map((json) => json.id)).toEqual(['a']);
			// Nothing of item 1 reaches an output as routed data.
			expect([...result.json('Filter', 0), ...result.json('Filter', 1)].filter((json) => json.id === 'b')).toEqual([]);
		});

		it('with the error output on, sends that item there and routes the others normally', async () => {
			const items = [{ id: 'a', score: 0.9 }, { id: 'b', score: 97 }, { id: 'c', score: 0.3 }];
			const result = await run({}, items, { onError: 'continueErrorOutput' });
			expect(result.status).toBe('success');
			const main = result.run.data.resultData.runData.Filter[0].data?.main ?? [];
			expect(main.map((output) => (output ?? []).map((item) => item.json.id))).toEqual([['c'], ['a'], ['b']]);
			// n8n puts the input item on the error output, with the message.
			expect(main[2]).toEqual([
				{ json: { id: 'b', score: 97, error: `Item 1: score 97 is outside 0–1; ${PERCENT_HINT}` }, pairedItem: { item: 1 } },
			]);
		});

		it('fails a score below 0 even though a Discard output would take it', async () => {
			const result = await run({ discardOutput: true, discardThreshold: 0.1 }, [{ score: -0.1 }], { onError: 'continueRegularOutput' });
			expect(result.output('Filter', 0)).toEqual([{ json: { error: `Item 0: score -0.1 is outside 0–1; ${PERCENT_HINT}` }, pairedItem: { item: 0 } }]);
			expect(result.json('Filter', 2)).toEqual([]);
		});

		it('with Score Scale 0–100 reads 97 as confidence 0.97 against the same 0–1 thresholds', async () => {
			const result = await run({ scoreScale: 'percent', options: { writeScore: true } }, [
				{ id: 'a', score: 97 },
				{ id: 'b', score: 50 },
			]);
			expect(result.status).toBe('success');
			const [confident] = result.json('Filter', 1);
			expect(confident.id).toBe('a');
			expect(confident.confidenceFilter).toEqual({
				output: 'confident',
				confidence: 0.97,
				uncertainty: 1 - 0.97,
				measure: 'score / 100',
				threshold: 0.8,
				reason: 'confidence 0.97 (score / 100) is at or above the review threshold 0.8',
			});
			expect((confident.meta as IDataObject).score).toBe(0.97);
			expect(confident.priority).toBe(0.03);
			expect(result.json('Filter', 0).map((json) => [json.id, (json.confidenceFilter as IDataObject).confidence])).toEqual([['b', 0.5]]);
		});

		it('with Score Scale 0–100 refuses a score above 100 and a threshold written as a percentage', async () => {
			const over = await run({ scoreScale: 'percent' }, [{ score: 150 }]);
			expect(over.error?.message).toBe('Item 0: score 150 is outside 0–100; with Score Scale 0–100 every score must be a percentage');
			const threshold = await run({ scoreScale: 'percent', reviewThreshold: 80 }, [{ score: 97 }]);
			expect(threshold.status).toBe('error');
			expect(threshold.error?.message).toBe('Item 0: Review Below is 80, but thresholds are confidences from 0 to 1');
			expect(threshold.error?.description).toContain('use 0.8 for 80%');
		});

		it('keeps a threshold above 1 meaning "review everything" on the 0–1 scale, as before', async () => {
			const result = await run({ reviewThreshold: 1.5 }, [{ score: 1 }]);
			expect(result.status).toBe('success');
			expect(result.json('Filter', 0)).toHaveLength(1);
		});

		// Items reach a node as JSON (in n8n and in this harness), so a model's NaN arrives as null; lib's own
		// NaN handling is in test/unit/uncertainty.test.ts.
		it('fails NaN (null), "abc" with Fail the Item and -0.1 always; by default the first two go to review, never through', async () => {
			const items = [{ score: NaN }, { score: 'abc' }, { score: -0.1 }];
			const failed = await run({ onMissing: 'error' }, items, { onError: 'continueRegularOutput' });
			expect(failed.output('Filter', 0)).toEqual([
				{ json: { error: 'No usable confidence in item 0: score is not a number (null)' }, pairedItem: { item: 0 } },
				{ json: { error: 'No usable confidence in item 1: score is not a number ("abc")' }, pairedItem: { item: 1 } },
				{ json: { error: `Item 2: score -0.1 is outside 0–1; ${PERCENT_HINT}` }, pairedItem: { item: 2 } },
			]);
			expect(failed.json('Filter', 1)).toEqual([]);
			const stopped = await run({ onMissing: 'error' }, [{ score: 0.9 }, { score: 'abc' }]);
			expect(stopped.error?.message).toBe('No usable confidence in item 1: score is not a number ("abc")');
			expect((stopped.error as { context?: IDataObject }).context?.itemIndex).toBe(1);
			// Send to Needs Review (the default) keeps its meaning for values that are not numbers; -0.1 still fails.
			const reviewed = await run({}, items, { onError: 'continueRegularOutput' });
			expect(reviewed.output('Filter', 0).map((item) => (item.json.confidenceFilter as IDataObject | undefined)?.reason ?? item.json.error)).toEqual([
				'confidence unavailable: score is not a number (null)',
				'confidence unavailable: score is not a number ("abc")',
				`Item 2: score -0.1 is outside 0–1; ${PERCENT_HINT}`,
			]);
			expect(reviewed.json('Filter', 1)).toEqual([]);
		});
	});

	it('lists Needs Review most uncertain first (the order a queue is written and Prodigy serves it), or in input order when asked', async () => {
		const items = [
			{ id: 'a', score: 0.7 },
			{ id: 'b', score: 0.1 },
			{ id: 'c', score: 0.95 },
			{ id: 'd' },
			{ id: 'e', score: 0.4 },
			{ id: 'f', score: 0.1 },
		];
		const ordered = await run({}, items);
		expect(ordered.output('Filter', 0).map((item) => [item.json.id, item.pairedItem])).toEqual([
			['d', { item: 3 }],
			['b', { item: 1 }],
			['f', { item: 5 }],
			['e', { item: 4 }],
			['a', { item: 0 }],
		]);
		expect(ordered.json('Filter', 1).map((json) => json.id)).toEqual(['c']);
		const asGiven = await run({ options: { reviewOrder: 'input' } }, items);
		expect(asGiven.json('Filter', 0).map((json) => json.id)).toEqual(['a', 'b', 'd', 'e', 'f']);
	});

	describe('finding the score with the default settings', () => {
		it('reads a field named confidence as readily as score, score first when both are there', async () => {
			const result = await run({}, [
				{ id: 'a', confidence: 0.95 },
				{ id: 'b', confidence: 0.4 },
				{ id: 'c', score: 0.9, confidence: 0.1 },
				{ id: 'd', text: 'neither' },
			]);
			expect(result.json('Filter', 1).map((json) => [json.id, (json.confidenceFilter as IDataObject).measure])).toEqual([
				['a', 'confidence'],
				['c', 'score'],
			]);
			// An item without a confidence is reviewed first (nothing is known of it).
			expect(result.json('Filter', 0).map((json) => [json.id, (json.confidenceFilter as IDataObject).reason])).toEqual([
				['d', 'confidence unavailable: score and confidence are missing'],
				['b', 'confidence 0.4 (confidence) is below the review threshold 0.8'],
			]);
		});

		it('reads span confidences when the spans have no score', async () => {
			const result = await run({ source: 'spans' }, [{ id: 'a', spans: [{ confidence: 0.99 }, { confidence: 0.5 }] }]);
			expect(result.json('Filter', 0)[0].confidenceFilter).toMatchObject({ confidence: 0.5, measure: 'min of spans[*].confidence' });
		});
	});

	describe('skipping inputs already in a dataset', () => {
		let db: TestDatabase;

		beforeEach(async () => {
			db = await createTestDatabase('sqlite');
			const store = openStore(db.config);
			await store.addExamples('review_queue', [{ text: 'seen before', answer: 'accept' }]);
			await store.close();
		});

		afterEach(async () => {
			await db.cleanup();
		});

		const items = [
			{ text: 'seen before', score: 0.2 },
			{ text: 'new one', score: 0.2 },
		];
		const withCredential = { credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy' } } };
		const parameters = { scorePath: 'score', skipExisting: true, dataset: { __rl: true, mode: 'name', value: 'review_queue' } };

		it('skips nothing, and creates no file, where Prodigy has not created the SQLite database yet (a queue before its first ingest)', async () => {
			const path = `${(db.config as { path: string }).path}.not-yet`;
			const credentials = { prodigyDatabaseApi: { type: 'sqlite', path } };
			const result = await run(parameters, items, withCredential, credentials);
			expect(result.status).toBe('success');
			expect(result.json('Filter', 0).map((json) => json.text)).toEqual(['seen before', 'new one']);
			expect(existsSync(path)).toBe(false);
		});

		it('sends them to Discard when it exists', async () => {
			const credentials = { prodigyDatabaseApi: { type: 'sqlite', path: (db.config as { path: string }).path } };
			const result = await run({ ...parameters, discardOutput: true, discardThreshold: 0 }, items, withCredential, credentials);
			expect(result.json('Filter', 0).map((json) => json.text)).toEqual(['new one']);
			expect(result.json('Filter', 2)).toEqual([
				expect.objectContaining({
					text: 'seen before',
					confidenceFilter: expect.objectContaining({ output: 'discard', reason: expect.stringMatching(/^input -?\d+ is already in dataset "review_queue"$/) }),
				}),
			]);
		});

		it('drops them otherwise, and treats a dataset that does not exist yet as empty', async () => {
			const credentials = { prodigyDatabaseApi: { type: 'sqlite', path: (db.config as { path: string }).path } };
			const dropped = await run(parameters, items, withCredential, credentials);
			expect(dropped.json('Filter', 0).map((json) => json.text)).toEqual(['new one']);
			expect(dropped.json('Filter', 1)).toEqual([]);
			const missing = await run({ ...parameters, dataset: { __rl: true, mode: 'name', value: 'not_yet' } }, items, withCredential, credentials);
			expect(missing.json('Filter', 0)).toHaveLength(2);
		});

		it('says that the option needs a credential when none is selected', async () => {
			const result = await run(parameters, items);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('"Skip Inputs Already in a Dataset" needs a Prodigy Database credential');
		});
	});
});
