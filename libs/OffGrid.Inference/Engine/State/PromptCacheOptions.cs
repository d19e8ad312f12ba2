using OffGrid.Hub;

namespace OffGrid.Inference.Engine.State;

/// <summary>
/// The on-disk prompt cache: when a request ends, the KV state of its sequence is saved under its tokens; a later
/// request whose prompt starts with saved tokens (the next turn of a chat, after a restart or after the model was
/// unloaded) restores it and evaluates only the tokens that follow.
/// </summary>
public sealed class PromptCacheOptions
{
    /// <summary>Whether states are saved and restored. Defaults to <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The folder of the cache; each model (file, size and date) and KV cache configuration (<see cref="LlamaEngineOptions.CacheTypeK"/>,
    /// <see cref="LlamaEngineOptions.CacheTypeV"/>, <see cref="LlamaEngineOptions.FlashAttention"/>) gets a subfolder, since
    /// llama.cpp loads a saved state only into the cache layout it was saved from. Defaults to
    /// <c>$OFFGRID_HOME/cache/prompt-states</c>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>The most bytes all saved states may take; the least recently used go first. Defaults to 2 GiB.</summary>
    public long MaxBytes { get; set; } = 2L << 30;

    /// <summary>Sequences shorter than this many tokens are not saved (re-evaluating them is cheap). Defaults to 256.</summary>
    public int MinTokens { get; set; } = 256;

    /// <summary>The folder in effect.</summary>
    internal string ResolvedDirectory => Directory ?? OffGridHome.Combine("cache", "prompt-states");

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 0, nameof(MaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinTokens, 1, nameof(MinTokens));
        if (Directory is { Length: 0 })
        {
            throw new ArgumentException("The prompt cache folder is empty.", nameof(Directory));
        }
    }
}
