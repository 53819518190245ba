import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { CursorLimits } from '../../../lib/cursor';
import type { TriggerState } from '../../../lib/triggerState';
import { ProdigyInputError } from '../../../lib/errors';
import type { ProdigyStore } from '../../../lib/store/types';

/** What an event needs from a poll: the store, what is watched, its own parameters, a clock. No n8n context. */
export interface EventContext {
	store: ProdigyStore;
	/** Watched dataset names (empty for New Dataset). */
	datasets: string[];
	/** The event's own parameters (read by the node; defaults applied by the caller's fallback). */
	param<T>(name: string, fallback: T): T;
	/** Epoch ms; read once at the start of a poll. */
	now: number;
	maxItems: number;
	limits: CursorLimits;
}

export interface EventPoll {
	items: IDataObject[];
	state: TriggerState;
	/** Things the node should log (never shown as errors: the poll itself succeeded). */
	warnings: string[];
}

export interface TriggerEvent {
	/** The option value of the Event parameter. */
	value: string;
	name: string;
	description: string;
	/** Whether the event watches the Datasets field. */
	usesDatasets: boolean;
	/** Parameters shown for this event. */
	properties: INodeProperties[];
	/** Settings whose change must restart the trigger (beyond the event and the datasets). */
	keyOf?(context: EventContext): Record<string, unknown>;
	/** The state of a trigger starting now (first activation, or what it watches changed). */
	start(context: EventContext): Promise<TriggerState>;
	/** One poll: what to emit and the state after it. */
	poll(context: EventContext, state: TriggerState): Promise<EventPoll>;
	/** Manual "fetch test event": the latest matching item(s). Never reads or writes the cursor. */
	sample(context: EventContext): Promise<IDataObject[]>;
}

export const OVERFLOW_WARNING =
	'More annotations arrived within one late-commit window than the trigger remembers; a transaction committing ' +
	'later than that with a lower link id may be missed. Poll more often or lower the Late Commit Window.';

/** Nothing to show as a test event: the message says what was looked for, the hint how to get one. */
export class NoSampleError extends ProdigyInputError {
	constructor(message: string, hint: string) {
		super(message, { hint });
	}
}
