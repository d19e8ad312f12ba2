namespace OffGrid.Hub.HuggingFace;

/// <summary>Where the Hugging Face Hub (or a mirror) is and how to talk to it.</summary>
/// <remarks>Plain settings object; do not change it while a client uses it.</remarks>
public sealed class HuggingFaceOptions
{
    /// <summary>The public Hub address, used when neither the option nor <c>HF_ENDPOINT</c> is set.</summary>
    public const string PublicEndpoint = "https://huggingface.co";

    /// <summary>Gets or sets the Hub address; <c>HF_ENDPOINT</c> when set, else the public Hub. Point it at a mirror for air-gapped sites.</summary>
    public Uri Endpoint { get; set; } = new(Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? e : PublicEndpoint);

    /// <summary>Gets or sets the access token for gated and private repositories; <c>HF_TOKEN</c> by default.</summary>
    public string? Token { get; set; } = Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } t ? t : null;

    /// <summary>Gets or sets the folder where search results are cached; no cache when <see langword="null"/>.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets how long a cached search result is used before asking the Hub again. Default 1 hour.</summary>
    /// <remarks>When the Hub cannot be reached, an older cached result is used regardless of age.</remarks>
    public TimeSpan SearchCacheTtl { get; set; } = TimeSpan.FromHours(1);
}
