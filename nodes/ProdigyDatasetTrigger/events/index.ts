import { milestone } from './milestone';
import { newAnnotation } from './newAnnotation';
import { newDataset } from './newDataset';
import { newSession } from './newSession';
import { stalled } from './stalled';
import type { TriggerEvent } from './types';

export const EVENTS: readonly TriggerEvent[] = [newAnnotation, newDataset, newSession, milestone, stalled];

export function eventByValue(value: string): TriggerEvent | undefined {
	return EVENTS.find((event) => event.value === value);
}
