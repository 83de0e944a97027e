// Prints what HashiCorp's HCL parser makes of .tf files, through @cdktf/hcl2json
// (hclsyntax + tmccombs/hcl2json compiled to WebAssembly), one JSON line per file:
//   {"file": PATH, "json": {...}}   or   {"file": PATH, "error": "message"}
// Usage: node hcl2json.js NODE_MODULES_DIR FILE...
// Exits 3 when the package cannot be loaded (the caller then skips).
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  let hcl2json;
  try {
    hcl2json = require(path.resolve(modules, '@cdktf', 'hcl2json'));
  } catch (e) {
    process.stderr.write(`cannot load @cdktf/hcl2json from ${modules}: ${e.message}\n`);
    process.exit(3);
  }
  for (const file of files) {
    let line;
    try {
      const text = fs.readFileSync(file, 'utf-8');
      const json = await hcl2json.parse(path.basename(file), text);
      line = JSON.stringify({ file, json });
    } catch (e) {
      line = JSON.stringify({ file, error: String(e && e.message ? e.message : e) });
    }
    process.stdout.write(line + '\n');
  }
  process.exit(0);
}

main();
