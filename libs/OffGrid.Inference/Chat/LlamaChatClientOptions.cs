namespace OffGrid.Inference.Chat;

/// <summary>Defaults for a <see cref="LlamaChatClient"/>; per-request <c>ChatOptions</c> override them.</summary>
public sealed class LlamaChatClientOptions
{
    /// <summary>The model id reported in responses and metadata; defaults to the model's id.</summary>
    public string? ModelId { get; set; }

    /// <summary>The sampling temperature when a request sets none. Defaults to 0.8 (as Ollama and llama.cpp).</summary>
    public float DefaultTemperature { get; set; } = 0.8f;

    /// <summary>The output-token limit when a request sets none; <see langword="null"/> generates until the context is full.</summary>
    public int? DefaultMaxOutputTokens { get; set; }

    /// <summary>Whether to use the model's Jinja chat template (with llama.cpp's built-in templates as the fallback). Defaults to <see langword="true"/>.</summary>
    public bool UseJinjaTemplate { get; set; } = true;
}
