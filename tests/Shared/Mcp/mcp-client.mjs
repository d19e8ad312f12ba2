// Drives the official MCP TypeScript SDK client for OffGrid's tests: connects over stdio or Streamable HTTP, lists the
// tools, optionally calls one, and prints one JSON line: {"server", "tools", "result"}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const request = JSON.parse(process.argv[2]);
const { connection, call } = request;
const transport = connection.transport === "http"
  ? new StreamableHTTPClientTransport(new URL(connection.url))
  : new StdioClientTransport({
      command: connection.command,
      args: connection.args ?? [],
      env: { ...process.env, ...(connection.env ?? {}) },
      stderr: "inherit",
    });

const client = new Client({ name: "offgrid-tests", version: "1.0.0" });
await client.connect(transport);
const tools = await client.listTools();
const result = call ? await client.callTool({ name: call.name, arguments: call.arguments ?? {} }) : null;
console.log(JSON.stringify({ server: client.getServerVersion(), tools: tools.tools.map(t => t.name), result }));
await client.close();
