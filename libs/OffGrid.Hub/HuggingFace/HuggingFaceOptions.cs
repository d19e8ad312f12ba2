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

    /// <summary>
    /// Gets or sets how many times an API call that failed transiently (network error, attempt timeout, 408, 429, 5xx) is
    /// retried; 0 disables retries. Default 3. Applies to the client that <c>AddOffGridHub</c> registers.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the first retry delay; later ones double, with jitter. A <c>Retry-After</c> header takes precedence. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest <c>Retry-After</c> (429, 503) that is waited for; a longer one fails at once with <see cref="HubHttpException.RetryAfter"/> set. Default 30 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the time allowed for one attempt of an API call, until the response headers arrive. Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the time allowed for one API call, every retry and wait included. Default 2 min.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        // The timeout strategies accept 10 ms to 24 h.
        var errors = new List<string>();
        if (Endpoint is not { IsAbsoluteUri: true })
        {
            errors.Add($"{nameof(Endpoint)} must be an absolute URI.");
        }

        if (MaxRetries is < 0 or > 100)
        {
            errors.Add($"{nameof(MaxRetries)} must be between 0 and 100.");
        }

        if (RetryDelay < TimeSpan.Zero || MaxRetryAfter < TimeSpan.Zero)
        {
            errors.Add($"{nameof(RetryDelay)} and {nameof(MaxRetryAfter)} must not be negative.");
        }

        if (AttemptTimeout < TimeSpan.FromMilliseconds(10) || RequestTimeout > TimeSpan.FromHours(24) || AttemptTimeout > RequestTimeout)
        {
            errors.Add($"{nameof(AttemptTimeout)} must be at least 10 ms and at most {nameof(RequestTimeout)}, which must be at most 24 h.");
        }

        return errors;
    }
}
