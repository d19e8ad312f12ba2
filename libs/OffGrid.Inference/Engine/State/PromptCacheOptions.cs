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

    /// <summary>
    /// Checks, when the cache is <see cref="Enabled"/>, that its folder can be created and written to, so that a host can
    /// refuse an unusable folder when it starts rather than fail later. Creates the folder when it is missing.
    /// </summary>
    /// <returns>
    /// <see langword="null"/> when the cache is off or its folder is usable; otherwise one sentence that starts with
    /// <c>the prompt cache folder '…' cannot be used:</c> and gives the file system's reason.
    /// </returns>
    /// <remarks>Touches the file system (a probe file that is deleted at once); call it once at start, not per request.</remarks>
    public string? FindDirectoryProblem()
    {
        if (!Enabled)
        {
            return null;
        }

        string folder = Path.GetFullPath(ResolvedDirectory);
        try
        {
            System.IO.Directory.CreateDirectory(folder);
            using (new FileStream(Path.Combine(folder, $".probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"the prompt cache folder '{folder}' cannot be used: {ex.Message}";
        }
    }

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
