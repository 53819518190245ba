// Copies what tsc does not emit into dist: node / credential icons and the codex .node.json files.
// @ts-expect-error -- gulp 5 ships no type declarations, and one untyped call is not worth an @types package.
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['icons/*.svg', 'nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
