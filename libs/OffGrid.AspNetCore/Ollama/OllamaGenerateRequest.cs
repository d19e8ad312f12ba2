using System.Text.Json;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>The body of <c>POST /api/generate</c>.</summary>
internal sealed class OllamaGenerateRequest
{
    public string? Model { get; set; }

    public string? Prompt { get; set; }

    public string? Suffix { get; set; }

    /// <summary>A system message placed before the prompt (ignored with <see cref="Raw"/>).</summary>
    public string? System { get; set; }

    /// <summary>Sends the prompt without the chat template.</summary>
    public bool Raw { get; set; }

    public JsonElement? Format { get; set; }

    public OllamaOptions? Options { get; set; }

    public bool Stream { get; set; } = true;

    public JsonElement? KeepAlive { get; set; }

    /// <summary>Whether a reasoning model thinks first: <c>true</c>/<c>false</c>, or <c>"low"</c>, <c>"medium"</c>, <c>"high"</c>.</summary>
    public JsonElement? Think { get; set; }

    public List<string>? Images { get; set; }

    /// <summary>A Go template replacing the model's: not supported (OffGrid renders the model's Jinja template).</summary>
    public string? Template { get; set; }

    /// <summary>The <c>context</c> an earlier response returned: the exchange this prompt continues, in tokens.</summary>
    public JsonElement? Context { get; set; }
}
