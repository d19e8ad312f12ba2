using System.Diagnostics;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Chat;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;
using OffGrid.Inference.Chat;

namespace OffGrid.AspNetCore.Ollama;

/// <summary><c>POST /api/chat</c> and <c>POST /api/generate</c>.</summary>
internal static class OllamaGenerationEndpoints
{
    public static async Task<IResult> ChatAsync(HttpContext http, ModelAccess models)
    {
        long started = Stopwatch.GetTimestamp();
        CancellationToken cancellationToken = http.RequestAborted;
        OllamaChatRequest request = await JsonBody.ReadAsync<OllamaChatRequest>(http.Request, cancellationToken);
        ChatOptions options = OllamaOptions.ToChatOptions(request.Options, request.Format, request.Tools);
        OllamaOptions.ApplyThink(options, request.Think);
        List<ChatMessage> messages = [.. (request.Messages ?? []).Select((m, i) => ToMessage(m, $"messages[{i}]"))];
        return await RespondAsync(http, models, request.Model, request.KeepAlive, OllamaOptions.ContextSize(request.Options), messages, options, request.Stream, chat: true, started);
    }

    public static async Task<IResult> GenerateAsync(HttpContext http, ModelAccess models)
    {
        long started = Stopwatch.GetTimestamp();
        CancellationToken cancellationToken = http.RequestAborted;
        OllamaGenerateRequest request = await JsonBody.ReadAsync<OllamaGenerateRequest>(http.Request, cancellationToken);
        if (request.Images is { Count: > 0 })
        {
            throw ApiException.BadRequest("Images are not supported.", "images");
        }

        if (request.Suffix is { Length: > 0 })
        {
            throw ApiException.BadRequest("'suffix' (fill-in-the-middle) is not supported.", "suffix");
        }

        if (request.Template is { Length: > 0 })
        {
            throw ApiException.BadRequest("'template' is not supported: OffGrid renders the model's own chat template (send 'raw' to write the prompt yourself).", "template");
        }

        ChatOptions options = OllamaOptions.ToChatOptions(request.Options, request.Format, tools: null);
        OllamaOptions.ApplyThink(options, request.Think);

        // The response always returns the exchange as 'context'; one sent back continues it.
        (options.AdditionalProperties ??= [])[LlamaChatOptions.ContextKey] = request.Context is { ValueKind: not System.Text.Json.JsonValueKind.Null } context ? context : Array.Empty<int>();
        if (request.Raw)
        {
            (options.AdditionalProperties ??= [])[LlamaChatOptions.RawPromptKey] = true;
        }
        else
        {
            options.Instructions = request.System;
        }

        List<ChatMessage> messages = request.Prompt is { Length: > 0 } prompt ? [new ChatMessage(ChatRole.User, prompt)] : [];
        return await RespondAsync(http, models, request.Model, request.KeepAlive, OllamaOptions.ContextSize(request.Options), messages, options, request.Stream, chat: false, started);
    }

    private static async Task<IResult> RespondAsync(
        HttpContext http, ModelAccess models, string? model, System.Text.Json.JsonElement? keepAliveValue, int? contextSize,
        List<ChatMessage> messages, ChatOptions options, bool stream, bool chat, long started)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        TimeSpan? keepAlive = KeepAlive.Read(keepAliveValue);
        if (messages.Count == 0)
        {
            // Ollama's convention: no prompt loads the model, or unloads it with keep_alive 0.
            if (keepAlive == TimeSpan.Zero)
            {
                LocalModel unloaded = await models.UnloadAsync(model, cancellationToken);
                return Results.Json(OllamaGeneration.Lifecycle(unloaded.Name, chat, "unload"), ServerJson.Options);
            }

            LocalModel loaded = await models.LoadAsync(model, keepAlive, contextSize, cancellationToken);
            return Results.Json(OllamaGeneration.Lifecycle(loaded.Name, chat, "load"), ServerJson.Options);
        }

        using ModelSession session = await models.OpenAsync(model, keepAlive, contextSize, options, cancellationToken);
        return await new OllamaGeneration(session, chat, started).RespondAsync(http, messages, options, stream);
    }

    private static ChatMessage ToMessage(OllamaChatRequest.Message message, string param)
    {
        if (message is null)
        {
            throw ApiException.BadRequest("A message cannot be null.", param);
        }

        if (message.Images is { Count: > 0 })
        {
            throw ApiException.BadRequest("Images are not supported.", param + ".images");
        }

        ChatRole role = message.Role switch
        {
            "system" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            null => throw ApiException.BadRequest("Each message needs a 'role'.", param + ".role"),
            _ => throw ApiException.BadRequest($"Unknown role '{message.Role}': use system, user, assistant or tool.", param + ".role"),
        };

        string text = message.Content ?? string.Empty;
        if (role == ChatRole.Tool)
        {
            // Ollama's tool results carry the tool's name instead of a call id.
            return new ChatMessage(role, [new FunctionResultContent(message.ToolName ?? "tool", text)]);
        }

        List<AIContent> contents = text.Length > 0 ? [new TextContent(text)] : [];
        if (message.ToolCalls is { Count: > 0 } calls)
        {
            if (role != ChatRole.Assistant)
            {
                throw ApiException.BadRequest("Only assistant messages carry 'tool_calls'.", param + ".tool_calls");
            }

            contents.AddRange(ToolCallPayload.ToContents(calls, $"{param}.tool_calls"));
        }

        return new ChatMessage(role, contents);
    }
}
