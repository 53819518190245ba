// A key "__proto__" in meta is data, as in Prodigy's Python dicts: every step that builds or copies a task or its
// meta keeps it as an own key, and the writer writes it.
import { parseJsonLossless, setOwn, stringifyTask, toPlainJson } from '../../lib/json';
import { applyMeta, buildTask, prepareTask } from '../../lib/tasks';

const protoObject = (json: string) => JSON.parse(json) as Record<string, unknown>;

describe('meta key __proto__', () => {
	it('setOwn makes it an own key and leaves the prototype alone', () => {
		const target: Record<string, unknown> = {};
		setOwn(target, '__proto__', { x: 1 });
		setOwn(target, 'a', 2);
		expect(Object.keys(target)).toEqual(['__proto__', 'a']);
		expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
		expect(stringifyTask(target)).toBe('{"__proto__":{"x":1},"a":2}');
	});

	it('the lossless reader, toPlainJson and both writers keep it', () => {
		const parsed = parseJsonLossless('{"meta":{"__proto__":{"f":1.0}}}');
		expect(stringifyTask(parsed)).toBe('{"meta":{"__proto__":{"f":1.0}}}');
		expect(JSON.stringify(toPlainJson(parsed))).toBe('{"meta":{"__proto__":{"f":1}}}');
	});

	it('prepareTask keeps it from the node meta rules (Fixed Meta Fields) and from the task', () => {
		const fromRules = prepareTask({ text: 'a' }, { contentLimit: null, meta: { fields: protoObject('{"__proto__": "fixed"}'), source: 'crm' } });
		expect(fromRules.content.toString()).toContain('"meta":{"__proto__":"fixed","source":"crm"}');
		const fromTask = prepareTask(protoObject('{"text": "b", "meta": {"__proto__": "task"}}'), { contentLimit: null, meta: { fields: protoObject('{"__proto__": "node"}') } });
		expect(fromTask.content.toString()).toContain('"meta":{"__proto__":"task"}');
		expect(applyMeta(protoObject('{"text": "c"}'), { fields: protoObject('{"__proto__": 1}'), precedence: 'node' }).meta).toEqual(protoObject('{"__proto__": 1}'));
	});

	it('buildTask keeps it from mapped Meta Fields', () => {
		const task = buildTask({ contentField: 'text', content: 'a', meta: protoObject('{"__proto__": "field"}') });
		expect(stringifyTask(task)).toBe('{"text":"a","meta":{"__proto__":"field"}}');
	});
});
