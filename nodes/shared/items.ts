import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { planBatches, writeBatches } from '../../lib/batches';
import { errorMessage, toNodeError } from './errors';

export type ItemResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

function isExecutionData(value: IDataObject | INodeExecutionData): value is INodeExecutionData {
	return typeof value.json === 'object' && value.json !== null && !Array.isArray(value.json);
}

/** Wraps a handler's result as output items of input item `itemIndex`, each carrying its pairedItem. */
export function linkToItem(result: ItemResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) =>
		isExecutionData(entry)
			? { ...entry, pairedItem: { item: itemIndex } }
			: { json: entry as IDataObject, pairedItem: { item: itemIndex } },
	);
}

/** The item that continue-on-fail emits in place of a failed one; it wrote nothing. */
export function errorItem(message: string, itemIndex: number): INodeExecutionData {
	return { json: { error: message }, pairedItem: { item: itemIndex } };
}

/**
 * The item loop of the pack (mapItemsInBatches below is its form for writes in batches): runs `handler` per input
 * item, links every output to its input (pairedItem), and on failure either throws an item-indexed n8n error or,
 * with continue-on-fail, emits `{ error }` for that item.
 * `credentials` is the credential whose secrets no error may show (undefined only when the run uses none).
 */
export async function mapItems(
	ctx: IExecuteFunctions,
	handler: (itemIndex: number, item: INodeExecutionData) => Promise<ItemResult>,
	credentials: ICredentialDataDecryptedObject | undefined,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...linkToItem(await handler(itemIndex, items[itemIndex]), itemIndex));
		} catch (error) {
			const nodeError = toNodeError(ctx.getNode(), error, itemIndex, credentials);
			if (!ctx.continueOnFail()) throw nodeError;
			output.push(errorItem(nodeError.message, itemIndex));
		}
	}
	return output;
}

/** One input item's part in a batched write (Example → Add's tasks, Submit Answers' answers). */
export interface BatchPlan<E> {
	/** What the item writes, in order. */
	entries: E[];
	/** Items with an equal key share batches (same dataset and write options, same server session). */
	group: string | null;
	/** Entries per batch (one transaction or one request); the first item of a group decides for the group. */
	perBatch: number;
}

/** How far an item got when a batch carrying its entries failed; nothing after that batch was written for it. */
export interface ItemStop {
	/** The error as `write` threw it, to tell kinds of failure apart (the message the loop emits is scrubbed). */
	error: unknown;
	/** Entries that earlier batches wrote: the item's first `written`. */
	written: number;
	/** Entries of the item in the batch that failed, the ones after the first `written`. */
	inFailedBatch: number;
	/** All entries of the item. */
	total: number;
}

/** An operation that writes its items in batches: prepare each item, write batches, say what each item got. */
export interface BatchedWrite<P extends BatchPlan<E>, E, R> {
	/** Reads and checks one input item; it must write nothing, so a bad item leaves the database as it was. */
	prepare(itemIndex: number, item: INodeExecutionData): Promise<P>;
	/** Writes one batch (one transaction or one request); resolves to one result per entry, in order. */
	write(batch: Array<{ item: P; entry: E }>): Promise<R[]>;
	/** The output of an item all of whose entries were written (`results`: one per entry). */
	output(item: P, results: R[]): ItemResult;
	/**
	 * For an item a failed batch stopped: `note` is added to the error's message (what was written, how to finish),
	 * `output` is emitted before the `{ error }` item under continue-on-fail (e.g. the entries that were written).
	 */
	stopped?(item: P, results: R[], stop: ItemStop): { note?: string; output?: ItemResult };
}

/**
 * The item loop of the operations that write in batches. Every item is prepared first: a bad one is an item-indexed
 * error before anything is written, or with continue-on-fail its `{ error }` output. The prepared entries are then
 * written in batches (lib/batches: grouped, in input order); a failed batch fails every item it carried, and nothing
 * more of those items is written (the others go on). Every output is linked to its input item, in input order.
 */
export async function mapItemsInBatches<P extends BatchPlan<E>, E, R>(
	ctx: IExecuteFunctions,
	operation: BatchedWrite<P, E, R>,
	credentials: ICredentialDataDecryptedObject | undefined,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const outputs: INodeExecutionData[][] = items.map(() => []);
	const toError = (error: unknown, itemIndex: number) => toNodeError(ctx.getNode(), error, itemIndex, credentials);

	interface Item {
		itemIndex: number;
		plan: P;
		results: R[];
		failed: boolean;
	}
	const prepared: Item[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.push({ itemIndex, plan: await operation.prepare(itemIndex, items[itemIndex]), results: [], failed: false });
		} catch (error) {
			const nodeError = toError(error, itemIndex);
			if (!continueOnFail) throw nodeError;
			outputs[itemIndex] = [errorItem(nodeError.message, itemIndex)];
		}
	}

	const entries = prepared.flatMap((item) => item.plan.entries.map((entry) => ({ item, entry })));
	const batches = planBatches(entries, (entry) => entry.item.plan.group, (entry) => entry.item.plan.perBatch);
	await writeBatches(
		batches,
		(entry) => entry.item,
		async (batch) => {
			const results = await operation.write(batch.map(({ item, entry }) => ({ item: item.plan, entry })));
			batch.forEach(({ item }, index) => item.results.push(results[index]));
		},
		(batch, error, stoppedItems) => {
			for (const item of stoppedItems) {
				const stop: ItemStop = {
					error,
					written: item.results.length,
					inFailedBatch: batch.filter((entry) => entry.item === item).length,
					total: item.plan.entries.length,
				};
				const { note, output } = operation.stopped?.(item.plan, item.results, stop) ?? {};
				const nodeError = toError(error, item.itemIndex);
				const message = note ? `${nodeError.message} (${note})` : nodeError.message;
				if (!continueOnFail) {
					// The note goes into the error that ends the run too: whoever reads it needs to know what is
					// already in the database. Set only here, once: an n8n error passes toError unchanged.
					nodeError.message = message;
					throw nodeError;
				}
				item.failed = true;
				outputs[item.itemIndex] = [
					...(output === undefined ? [] : linkToItem(output, item.itemIndex)),
					errorItem(message, item.itemIndex),
				];
			}
		},
	);
	for (const item of prepared) {
		if (!item.failed) outputs[item.itemIndex] = linkToItem(operation.output(item.plan, item.results), item.itemIndex);
	}
	return outputs.flat();
}

/** The error mapping of one node run, bound once to the credential the run uses. */
export interface ErrorKit {
	/** An item-indexed n8n error for `error`, scrubbed of the run's secrets. */
	nodeError(error: unknown, itemIndex: number): NodeOperationError | NodeApiError;
	/** The error's message, scrubbed of the run's secrets (for results that report a failure instead of raising it). */
	errorMessage(error: unknown): string;
}

/** The item loop and error mapping of one node run, bound once to the credential the run uses. */
export interface RunKit extends ErrorKit {
	/** mapItems over the input, its errors scrubbed of the run's secrets. */
	eachItem(handler: (itemIndex: number, item: INodeExecutionData) => Promise<ItemResult>): Promise<INodeExecutionData[]>;
	/** mapItemsInBatches over the input, its errors scrubbed of the run's secrets. */
	eachItemInBatches<P extends BatchPlan<E>, E, R>(operation: BatchedWrite<P, E, R>): Promise<INodeExecutionData[]>;
}

export function errorKit(node: INode, credentials: ICredentialDataDecryptedObject | undefined): ErrorKit {
	return {
		nodeError: (error, itemIndex) => toNodeError(node, error, itemIndex, credentials),
		errorMessage: (error) => errorMessage(error, credentials),
	};
}

export function runKit(ctx: IExecuteFunctions, credentials: ICredentialDataDecryptedObject | undefined): RunKit {
	return {
		...errorKit(ctx.getNode(), credentials),
		eachItem: async (handler) => await mapItems(ctx, handler, credentials),
		eachItemInBatches: async (operation) => await mapItemsInBatches(ctx, operation, credentials),
	};
}
