import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeOutputConfiguration,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { errorItem, type ErrorKit } from './items';

/**
 * Where one input item goes: an output index with the json to emit (binary is carried over from the input), an
 * error to raise for that item, or null to drop it.
 */
export type ItemRoute = { output: number; json: IDataObject } | { error: unknown } | null;

/** Named main outputs for a node description (If v2 style: each output has its own label on the canvas). */
export function namedOutputs(names: string[]): INodeOutputConfiguration[] {
	return names.map((displayName) => ({ type: NodeConnectionTypes.Main, displayName }));
}

/**
 * An `outputs` expression that shows the `base` outputs always and the `optional` ones only while `condition` (an
 * n8n expression over `$parameter`) is true, so an unused output never sits on the canvas.
 */
export function optionalOutputs(base: string[], optional: string[], condition: string): `={{${string}}}` {
	const without = JSON.stringify(namedOutputs(base));
	const withOptional = JSON.stringify(namedOutputs([...base, ...optional]));
	return `={{ (${condition}) ? ${withOptional} : ${without} }}`;
}

/**
 * Runs `decide` per input item, in order; an exception becomes that item's `{ error }` instead of ending the run, so
 * every item gets its own outcome (a route, or a step such as Confidence Filter's assessment before run-wide rules).
 */
export async function decideEach<T = ItemRoute>(
	ctx: IExecuteFunctions,
	decide: (itemIndex: number, item: INodeExecutionData) => Promise<T> | T,
): Promise<Array<T | { error: unknown }>> {
	const items = ctx.getInputData();
	const outcomes: Array<T | { error: unknown }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			outcomes.push(await decide(itemIndex, items[itemIndex]));
		} catch (error) {
			outcomes.push({ error });
		}
	}
	return outcomes;
}

/**
 * The one routing step of the multi-output nodes: puts every input item's result on its output in input order,
 * links it to its input (pairedItem), keeps the input's binary data, and handles failures the way mapItems does —
 * an item-indexed n8n error, or with continue-on-fail an `{ error }` item on `errorOutput`.
 */
export function routeItems(
	ctx: IExecuteFunctions,
	outputCount: number,
	routes: ItemRoute[],
	options: { errorOutput: number; nodeError: ErrorKit['nodeError'] },
): INodeExecutionData[][] {
	const items = ctx.getInputData();
	const outputs: INodeExecutionData[][] = Array.from({ length: outputCount }, () => []);
	routes.forEach((route, itemIndex) => {
		if (route === null) return;
		if ('error' in route) {
			const nodeError = options.nodeError(route.error, itemIndex);
			if (!ctx.continueOnFail()) throw nodeError;
			outputs[options.errorOutput].push(errorItem(nodeError.message, itemIndex));
			return;
		}
		if (route.output < 0 || route.output >= outputCount) {
			throw new RangeError(`Output ${route.output} does not exist (the node has ${outputCount})`);
		}
		const binary = items[itemIndex]?.binary;
		outputs[route.output].push({ json: route.json, ...(binary ? { binary } : {}), pairedItem: { item: itemIndex } });
	});
	return outputs;
}
