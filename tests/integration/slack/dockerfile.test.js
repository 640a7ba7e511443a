'use strict';
// There is no Docker engine here, so check the Dockerfile by reading it and
// by running its package-install steps with a stand-in apt-get that records
// what it was asked to install: each stage must install exactly the list in
// deps/ (build stage: deps/build.txt, runtime stage: deps/runtime.txt).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '../../..');

function listOf(file) {
	return fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')
		.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).sort();
}

// Stages: [{from, name, lines: [instruction text with continuations joined]}]
function stages() {
	const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
	const out = [];
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (!line || line.startsWith('#'))
			continue;
		const m = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
		if (m) {
			out.push({ from: m[1], name: m[2] || null, lines: [] });
			continue;
		}
		out[out.length - 1].lines.push(line);
	}
	return out;
}

// Run a stage's RUN lines that call apt-get with a fake apt-get on PATH
// and its COPY'd deps file in place; returns the packages installed.
function installedBy(stage) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-test-'));
	try {
		const bin = path.join(dir, 'bin');
		fs.mkdirSync(bin);
		const log = path.join(dir, 'installed');
		fs.writeFileSync(path.join(bin, 'apt-get'),
			`#!/bin/sh\n[ "$1" = install ] || exit 0\nshift\nfor a in "$@"; do case "$a" in -*) ;; *) echo "$a" >> ${log};; esac; done\n`,
			{ mode: 0o755 });
		// a stand-in for useradd and friends
		for (const tool of ['useradd', 'groupadd', 'rm', 'strip', 'make'])
			fs.writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
		let script = '';
		for (const l of stage.lines) {
			const copy = l.match(/^COPY\s+(?!--from)(\S+)\s+(\S+)$/i);
			if (copy && copy[1].startsWith('deps/')) {
				const dest = path.join(dir, 'root', copy[2]);
				fs.mkdirSync(path.dirname(dest), { recursive: true });
				fs.copyFileSync(path.join(ROOT, copy[1]), dest);
			}
			const run = l.match(/^RUN\s+(.*)$/i);
			if (run && /apt-get/.test(run[1]))
				script += run[1].replace(/\/tmp\/deps\//g, path.join(dir, 'root', 'tmp', 'deps') + '/') + '\n';
		}
		execFileSync('sh', ['-e', '-c', script], { env: { PATH: `${bin}:/usr/bin:/bin` } });
		return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).sort() : [];
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

test('two stages on debian:bookworm-slim', () => {
	const s = stages();
	assert.equal(s.length, 2);
	for (const st of s)
		assert.equal(st.from, 'debian:bookworm-slim');
});

test('the build stage installs exactly deps/build.txt', () => {
	assert.deepEqual(installedBy(stages()[0]), listOf('deps/build.txt'));
});

test('the runtime stage installs exactly deps/runtime.txt', () => {
	assert.deepEqual(installedBy(stages()[1]), listOf('deps/runtime.txt'));
});

test('no package is named in the Dockerfile itself', () => {
	const all = listOf('deps/build.txt').concat(listOf('deps/runtime.txt'));
	for (const st of stages()) {
		for (const l of st.lines.filter((x) => /^RUN/i.test(x))) {
			const words = l.split(/\s+/);
			for (const pkg of all)
				assert.ok(!words.includes(pkg), `'${pkg}' named in: ${l}`);
		}
	}
});

test('the runtime stage: binary only, non-root user, tokens not baked in', () => {
	const rt = stages()[1];
	const copies = rt.lines.filter((l) => /^COPY/i.test(l));
	const fromBuild = copies.filter((l) => /--from=/.test(l));
	assert.equal(fromBuild.length, 1);
	assert.match(fromBuild[0], /reportbot\s+\/usr\/local\/bin\/reportbot$/);
	for (const l of copies.filter((x) => !/--from=/.test(x)))
		assert.match(l, /^COPY deps\//, `runtime copies only the package list: ${l}`);
	const user = rt.lines.filter((l) => /^USER\s/i.test(l)).pop();
	assert.ok(user && !/\broot\b|\s0$/.test(user), `runs as ${user}`);
	const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
	assert.doesNotMatch(text, /xox[a-z]-|xapp-|SLACK_(APP|BOT)_TOKEN\s*=/);
	assert.ok(rt.lines.some((l) => /^ENTRYPOINT/.test(l)));
});
