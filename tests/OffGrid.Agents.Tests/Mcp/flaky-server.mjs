// An MCP stdio server for OffGrid's restart and timeout tests, on the official TypeScript SDK:
// "ping" answers "pong", "exit_soon" answers and then ends the process, "hang" never answers.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "flaky", version: "1.0.0" });
server.registerTool("ping", { description: "Answers pong and the process id." }, async () => ({ content: [{ type: "text", text: `pong ${process.pid}` }] }));
server.registerTool("exit_soon", { description: "Answers, then the server process exits." }, async () => {
  setTimeout(() => process.exit(7), 100);
  return { content: [{ type: "text", text: "bye" }] };
});
server.registerTool("hang", { description: "Never answers." }, () => new Promise(() => {}));
console.error("flaky server ready");
await server.connect(new StdioServerTransport());
