using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.AspNetCore.Ollama;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.Mcp;

/// <summary>
/// OffGrid's own tools for MCP clients: chat with a served model, embed text, list the models and show one. Every
/// generation goes through the model's <see cref="IChatClient"/> pipeline, as HTTP requests do. Errors a caller causes
/// (unknown model, prompt too long) come back as tool errors with OffGrid's message.
/// </summary>
/// <remarks>
/// A knowledge-base search tool joins these once the knowledge API exists: register it beside them with
/// <c>WithTools&lt;T&gt;()</c> on the same <see cref="IMcpServerBuilder"/>.
/// </remarks>
[McpServerToolType]
internal sealed class OffGridMcpTools
{
    private readonly ModelAccess _models;
    private readonly RemoteBackends _backends;

    public OffGridMcpTools(ModelAccess models, RemoteBackends backends)
    {
        _models = models;
        _backends = backends;
    }

    [McpServerTool(Name = "chat", ReadOnly = true, Idempotent = false, OpenWorld = false)]
    [Description("Sends a message to a local model on this OffGrid server and returns its answer.")]
    public Task<string> ChatAsync(
        [Description("The model's name, as list_models gives it.")] string model,
        [Description("The message to the model.")] string prompt,
        [Description("An optional system prompt.")] string? system = null,
        [Description("The most tokens the answer may have.")] int? maxTokens = null,
        [Description("Sampling temperature; 0 always picks the most likely token.")] float? temperature = null,
        CancellationToken cancellationToken = default) => Run(async () =>
    {
        var options = new ChatOptions { Instructions = system, MaxOutputTokens = maxTokens, Temperature = temperature };
        using ModelSession session = await _models.OpenAsync(model, keepAlive: null, contextSize: null, options, cancellationToken);
        ChatResponse response = await session.ChatClient.GetResponseAsync(prompt, options, cancellationToken);
        return response.Text;
    });

    [McpServerTool(Name = "embed", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Embeds texts with a local model on this OffGrid server; returns {\"model\",\"dimensions\",\"embeddings\":[[...]]}.")]
    public Task<string> EmbedAsync(
        [Description("The model's name.")] string model,
        [Description("The texts to embed.")] string[] texts,
        CancellationToken cancellationToken = default) => Run(async () =>
    {
        if (texts is not { Length: > 0 })
        {
            throw ApiException.BadRequest("'texts' must hold at least one text.", "texts");
        }

        using ModelSession session = await _models.OpenAsync(model, keepAlive: null, cancellationToken);
        GeneratedEmbeddings<Embedding<float>> embeddings = await session.EmbeddingGenerator.GenerateAsync(texts, cancellationToken: cancellationToken);
        return JsonSerializer.Serialize(new
        {
            model = session.Model.Name,
            dimensions = embeddings.Count > 0 ? embeddings[0].Vector.Length : 0,
            embeddings = embeddings.Select(e => e.Vector.ToArray()),
        }, ServerJson.Options);
    });

    [McpServerTool(Name = "list_models", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the models this OffGrid server can run: name, size in bytes, family, parameters and quantization.")]
    public Task<string> ListModelsAsync(CancellationToken cancellationToken = default) => Run(async () =>
    {
        var models = new List<object>();
        foreach (LocalModel model in await _models.ListAsync(cancellationToken))
        {
            models.Add(await OllamaModelDescription.DescribeAsync(model, _backends, cancellationToken));
        }

        return JsonSerializer.Serialize(models, ServerJson.Options);
    });

    [McpServerTool(Name = "show_model", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Shows one model: its GGUF metadata, chat template and capabilities.")]
    public Task<string> ShowModelAsync([Description("The model's name.")] string model, CancellationToken cancellationToken = default) => Run(async () =>
    {
        LocalModel found = await _models.ResolveAsync(model, cancellationToken);
        return JsonSerializer.Serialize(await OllamaModelDescription.ShowAsync(found, _backends, cancellationToken), ServerJson.Options);
    });

    /// <summary>Turns the client errors OffGrid's HTTP API reports as 4xx into MCP tool errors with the same message.</summary>
    private static async Task<string> Run(Func<Task<string>> tool)
    {
        try
        {
            return await tool();
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ApiError.From(ex) is { StatusCode: < 500 } error)
        {
            throw new McpException(error.Message, ex);
        }
    }
}
