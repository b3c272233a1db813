// Validate one glTF / GLB file with the Khronos glTF validator and print its report as JSON.
// Usage: node validate_gltf.mjs FILE
// Exit status: 0 when the report has no errors, 1 when it has errors, 2 when the file could not be read
// or the validator could not detect a glTF asset at all.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import validator from 'gltf-validator';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate_gltf.mjs FILE');
  process.exit(2);
}
let bytes;
try {
  bytes = new Uint8Array(readFileSync(file));
} catch (err) {
  console.error(`cannot read ${file}: ${err.message}`);
  process.exit(2);
}
try {
  const report = await validator.validateBytes(bytes, { uri: basename(file), maxIssues: 200 });
  console.log(JSON.stringify(report));
  process.exit(report.issues.numErrors > 0 ? 1 : 0);
} catch (err) {
  console.error(`the validator rejected ${file}: ${err}`);
  process.exit(2);
}
