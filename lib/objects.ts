// The one test for "is this a JSON object" over values that came from JSON: n8n items, parsed tasks and meta,
// server replies, saved trigger state.
import { PyFloat } from './json';
import type { JsonObject } from './store/types';

/**
 * True for a plain object such as JSON.parse makes. False for null, arrays, built-ins (Date, Buffer, Map...) and
 * PyFloat, which stands for a JSON number (`1.0`) and must be hashed, written and traversed as one. Compares the
 * built-in tag rather than the prototype, so objects made in another realm (a Code node's sandbox) still count.
 */
export function isPlainObject(value: unknown): value is JsonObject {
	return Object.prototype.toString.call(value) === '[object Object]' && !(value instanceof PyFloat);
}
