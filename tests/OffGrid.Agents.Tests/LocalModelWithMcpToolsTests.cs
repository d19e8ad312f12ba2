using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Mcp;

namespace OffGrid.Agents.Tests;

/// <summary>
/// The whole path in process: a local model (Qwen's template, random weights) is forced to call the reference MCP
/// filesystem server's <c>read_text_file</c>, the real server reads the real file, and the content goes back to the model,
/// which then answers. The file's path is narrowed to one choice in mcp.json, so the grammar writes it.
/// </summary>
public sealed class LocalModelWithMcpToolsTests
{
    [Fact]
    public async Task AForcedCallOfTheFilesystemServerReadsTheFileForTheModel()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        using var home = new AgentsHome();
        string documents = Directory.CreateDirectory(Path.Combine(home.Directory, "documents")).FullName;
        string handbook = Path.Combine(documents, "handbook.md");
        string content = $"# Pump handbook\nReset code: {Random.Shared.Next(1000, 9999)}. Keep the pump dry.\n";
        await File.WriteAllTextAsync(handbook, content, cancel);
        home.WriteMcpJson(new Dictionary<string, object>
        {
            ["filesystem"] = new
            {
                command = "node",
                args = new[] { McpNpmPackages.Filesystem, documents },
                toolArguments = new Dictionary<string, object> { ["read_text_file"] = new Dictionary<string, object> { ["path"] = new { type = "string", @enum = new[] { handbook } } } },
            },
        });
        await using var toolbox = new Toolbox(home.Options);
        await TestLlamaRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TemplateModels.Qwen, cancellationToken: cancel);
        using var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 2048 });
        var recorder = new RecordingChatClient(new LlamaChatClient(engine));
        using IChatClient client = recorder.AsBuilder().UseToolInvocation(f => f.MaximumIterationsPerRequest = 1).Build();

        IReadOnlyList<AITool> tools = await toolbox.GetToolsAsync(["filesystem/read_text_file"], cancel);
        ChatResponse response = await client.GetResponseAsync(
            "What is the reset code in the pump handbook?",
            new ChatOptions { Temperature = 0.7f, Seed = 3, MaxOutputTokens = 256, Tools = [.. tools], ToolMode = ChatToolMode.RequireSpecific("read_text_file") },
            cancel);

        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(handbook, call.Arguments!["path"]!.ToString());
        FunctionResultContent result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal(content, result.Result);
        Assert.Contains(recorder.Requests[^1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => Equals(r.Result, content));
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.False(string.IsNullOrEmpty(response.Messages[^1].Text));
    }
}
