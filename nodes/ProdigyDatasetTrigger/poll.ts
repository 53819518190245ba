// The trigger's poll: reads the parameters, opens the store, runs the event, keeps the cursor in static data.
//
// How n8n 2.40 keeps a poll node's static data (n8n-core PollContext + the server's TriggerExecutionContextFactory):
// - Legacy (default): getWorkflowStaticData('node') is the live object of the activated workflow. It is written to
//   the database only when a poll emits (saveStaticData before the execution runs); a poll that returns null keeps its
//   changes in memory only, lost on restart. A poll that throws after changing it leaves the change in memory too.
// - Durable cursors (N8N_POLLER_DURABLE_CURSORS_ENABLED with the scheduler): each poll runs in a staging scope
//   (__runPoll) and gets a fresh copy of the stored cursor as its static data. If the poll emits, the copy is
//   committed in the same transaction that creates the execution (no execution row: no cursor move, the next poll
//   repeats the window); if it returns null, __commitCursor stores it on its own; if it throws, it is discarded.
//   The first poll at activation ("testing" the trigger) is never committed when it returns null.
// So this node: fetches the static data object inside each poll (never caches it across polls), mutates it only by
// assigning whole, consistent states, and assigns the polled state only after every read succeeded. Then whichever
// version survives (the last emit's, the last commit's or the in-memory one) matches what was emitted up to it:
// re-reading from an older state emits nothing twice and skips nothing, it only re-filters rows already seen.
// A later failure of the workflow run itself does not roll the cursor back: what was emitted was handed over.
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_LIMITS } from '../../lib/cursor';
import { parseTriggerState, stateKey, type TriggerState } from '../../lib/triggerState';
import type { ProdigyStore } from '../../lib/store/types';
import { toNodeError } from '../shared/errors';
import { DATABASE_CREDENTIAL, withStore } from '../shared/store';
import { DEFAULT_MAX_ITEMS } from './description';
import { eventByValue } from './events';
import type { EventContext } from './events/types';

/** Where the cursor lives in the node's static data. */
export const STATE_FIELD = 'prodigyTrigger';

interface TriggerOptions {
	maxItems?: number;
	lateCommitMinutes?: number;
}

type LocatorValue = string | { mode?: string; value?: unknown };

/** The watched dataset names, in form order, without blanks or repeats. */
export function watchedDatasets(raw: unknown): string[] {
	const entries = (raw as { values?: Array<{ dataset?: LocatorValue }> } | undefined)?.values ?? [];
	const names = entries.map((entry) => {
		const value = typeof entry.dataset === 'object' && entry.dataset !== null ? entry.dataset.value : entry.dataset;
		return typeof value === 'string' ? value.trim() : '';
	});
	return [...new Set(names.filter(Boolean))];
}

/** n8n keeps static data as a JSON object; the state is one, written whole so no half-updated cursor is ever seen. */
function toStaticData(state: TriggerState): IDataObject {
	return JSON.parse(JSON.stringify(state)) as IDataObject;
}

export async function pollTrigger(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const node = this.getNode();
	const eventName = this.getNodeParameter('event', 'newAnnotation') as string;
	const event = eventByValue(eventName);
	if (!event) throw new NodeOperationError(node, `Unknown event "${eventName}"`);
	const datasets = event.usesDatasets ? watchedDatasets(this.getNodeParameter('datasets', {})) : [];
	if (event.usesDatasets && datasets.length === 0) {
		throw new NodeOperationError(node, 'No dataset to watch', { description: 'Add at least one dataset under Datasets.' });
	}
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	const maxItems = Math.max(1, Math.floor(Number(options.maxItems ?? DEFAULT_MAX_ITEMS)));
	const lateCommitMinutes = Math.max(0, Number(options.lateCommitMinutes ?? DEFAULT_LIMITS.lateCommitMs / 60_000));
	const credentials = await this.getCredentials(DATABASE_CREDENTIAL);

	const context = (store: ProdigyStore): EventContext => ({
		store,
		datasets,
		param: <T>(name: string, fallback: T) => this.getNodeParameter(name, fallback) as T,
		now: Date.now(),
		maxItems,
		limits: { ...DEFAULT_LIMITS, lateCommitMs: lateCommitMinutes * 60_000 },
	});

	let items: IDataObject[];
	try {
		items = await withStore(credentials, async (store) => {
			const eventContext = context(store);
			// "Fetch test event": the latest matching item; static data is neither read nor written.
			if (this.getMode() === 'manual') return event.sample(eventContext);

			const staticData = this.getWorkflowStaticData('node');
			const key = stateKey(event.value, datasets, event.keyOf?.(eventContext) ?? {});
			let state = parseTriggerState(staticData[STATE_FIELD], key);
			if (state === null) {
				// A start state emits nothing, so storing it at once is safe, and a poll failing right after keeps
				// "now" where it was instead of moving it to the next successful poll.
				state = { ...(await event.start(eventContext)), key };
				staticData[STATE_FIELD] = toStaticData(state);
			}
			const result = await event.poll(eventContext, state);
			for (const warning of result.warnings) this.logger.warn(`Prodigy Trigger "${node.name}": ${warning}`);
			staticData[STATE_FIELD] = toStaticData({ ...result.state, key });
			return result.items;
		});
	} catch (error) {
		throw toNodeError(node, error, 0, credentials);
	}
	if (items.length === 0) return null;
	return [this.helpers.returnJsonArray(items)];
}
