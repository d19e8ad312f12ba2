using OffGrid.Hub.Gguf;

namespace OffGrid.Inference.Engine;

/// <summary>
/// A KV cache type (<see cref="LlamaEngineOptions.CacheTypeK"/> or <see cref="LlamaEngineOptions.CacheTypeV"/>) that the
/// model cannot use: the type's block size does not divide the model's attention head size. It is a setting of the
/// engine, not of a request, so a server reports it as its own failure.
/// </summary>
public sealed class UnsupportedCacheTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One sentence naming the model, the cache type, its block size and the head size.</param>
    /// <param name="cacheType">The refused cache type.</param>
    /// <param name="setting">The option that set it: <c>CacheTypeK</c> or <c>CacheTypeV</c> (<see cref="LlamaEngineOptions"/>'s property names).</param>
    public UnsupportedCacheTypeException(string message, GgmlType cacheType, string setting)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(setting);
        CacheType = cacheType;
        Setting = setting;
    }

    /// <summary>The refused cache type.</summary>
    public GgmlType CacheType { get; }

    /// <summary>The option that set it: <c>CacheTypeK</c> or <c>CacheTypeV</c>, so that a host can name its own setting (<c>Server:Pool:Engine:CacheTypeK</c>).</summary>
    public string Setting { get; }
}
