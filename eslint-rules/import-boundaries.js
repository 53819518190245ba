// The layering of design.md as a lint rule: lib/ is the Prodigy core that scripts and Code nodes use without n8n, so
// it imports neither n8n nor the node glue; each node folder stands alone (shared code goes to nodes/shared or lib),
// so changing one node cannot break another. Relative imports are resolved against the importing file, so every
// spelling of a path (`../X`, `../../nodes/X`) counts.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const N8N_PACKAGES = ['n8n-workflow', 'n8n-core'];

/**
 * `lib`, `credentials`, `nodes/<Folder>`, or null for files the rule does not govern (tests, scripts...).
 * @param {string} file absolute path
 * @returns {string | null}
 */
function areaOf(file) {
	const parts = path.relative(ROOT, file).split(path.sep);
	if (parts[0] === 'lib' || parts[0] === 'credentials') return parts[0];
	if (parts[0] === 'nodes' && parts.length > 2) return `nodes/${parts[1]}`;
	return null;
}

/**
 * Why `importer` may not import `specifier`, or null when it may.
 * @param {string} importer absolute path of the importing file
 * @param {string} specifier what it imports, as written
 * @returns {string | null}
 */
function violation(importer, specifier) {
	const from = areaOf(importer);
	if (from === null) return null;
	const isPackage = !specifier.startsWith('.');
	if (isPackage) {
		const n8n = N8N_PACKAGES.find((name) => specifier === name || specifier.startsWith(`${name}/`));
		return from === 'lib' && n8n ? `lib/ must not import ${n8n}: it is the n8n-free Prodigy core` : null;
	}
	const to = areaOf(path.resolve(path.dirname(importer), specifier));
	if (to === null || to === from) return null;
	if (from === 'lib' && to !== 'lib') {
		return `lib/ must not import ${to}/: it is the n8n-free Prodigy core (move what both need into lib)`;
	}
	if (from.startsWith('nodes/') && to.startsWith('nodes/') && to !== 'nodes/shared') {
		return `${from}/ must not import ${to}/: share code through nodes/shared or lib`;
	}
	return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
	meta: {
		type: 'problem',
		docs: { description: 'Keeps lib/ free of n8n and node folders independent of each other' },
		schema: [],
		messages: { boundary: '{{ reason }}' },
	},
	create(context) {
		const file = context.physicalFilename ?? context.filename;
		/** @param {import('estree').Node | null | undefined} source */
		const check = (source) => {
			if (source && source.type === 'Literal' && typeof source.value === 'string') {
				const reason = violation(file, source.value);
				if (reason) context.report({ node: source, messageId: 'boundary', data: { reason } });
			}
		};
		return {
			ImportDeclaration: (node) => check(node.source),
			ExportNamedDeclaration: (node) => check(node.source),
			ExportAllDeclaration: (node) => check(node.source),
			ImportExpression: (node) => check(node.source),
			TSImportEqualsDeclaration: (node) => check(node.moduleReference.expression),
			TSImportType: (node) => check(node.argument.type === 'TSLiteralType' ? node.argument.literal : node.argument),
			'CallExpression[callee.name="require"]': (node) => check(node.arguments[0]),
		};
	},
};

module.exports = { rule, violation, plugin: { rules: { 'import-boundaries': rule } } };
