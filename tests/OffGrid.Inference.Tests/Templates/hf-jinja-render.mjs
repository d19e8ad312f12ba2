// Renders chat templates with @huggingface/jinja, one oracle for OffGrid's template engine.
// Usage: node hf-jinja-render.mjs <dir holding node_modules> <input.json>
// input.json: { "cases": { name: { "source": template, "variables": { ... } }, ... } }
// stdout: { name: { "output": text } | { "error": message }, ... }
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [, , moduleRoot, inputPath] = process.argv;
const entry = join(moduleRoot, "node_modules", "@huggingface", "jinja", "dist", "index.js");
const { Template } = await import(pathToFileURL(entry).href);
const input = JSON.parse(readFileSync(inputPath, "utf8"));
const results = {};
for (const [name, { source, variables }] of Object.entries(input.cases)) {
  try {
    results[name] = { output: new Template(source).render(variables) };
  } catch (error) {
    results[name] = { error: String(error?.message ?? error) };
  }
}
process.stdout.write(JSON.stringify(results));
