namespace OffGrid.Inference.Remote;

/// <summary>
/// One remote engine: its API, address, credentials, the models it serves and its timeouts. Bound from configuration
/// (<c>Server:Backends:&lt;name&gt;</c> on an OffGrid server), or set in code for a <see cref="RemoteBackend"/>.
/// </summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class RemoteBackendOptions
{
    /// <summary>Gets or sets the API the backend speaks. Defaults to <see cref="RemoteBackendKind.OpenAi"/>.</summary>
    public RemoteBackendKind Kind { get; set; } = RemoteBackendKind.OpenAi;

    /// <summary>
    /// Gets or sets the backend's absolute <c>http</c> or <c>https</c> address: for <see cref="RemoteBackendKind.OpenAi"/> the
    /// API's base address including its version (<c>http://gpu1:8080/v1</c>), otherwise the server's root.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>Gets or sets the key sent as a bearer token (OpenAI-compatible servers that require one); none by default.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the models served through this backend: the name clients use mapped to the backend's own name for it (a
    /// llama-server's <c>--alias</c>, an Ollama tag). Empty by default: every model the backend lists, under its own name
    /// (Ollama's <c>:latest</c> dropped).
    /// </summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the share of requests the weighted strategy sends here, relative to the other backends of a pool: 1–1000. Defaults to 1.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>Gets or sets how long opening a connection may take. Defaults to 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long the backend may take to send the first token (or, for embeddings, the whole answer): queueing and
    /// prompt processing included. Defaults to 2 minutes.
    /// </summary>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long a whole answer may take, streaming included. Defaults to 30 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Lists what is wrong with the options.</summary>
    /// <returns>One sentence per problem, each naming the setting; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out Uri? endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            errors.Add($"Endpoint must be an absolute http or https address (was '{Endpoint}').");
        }

        if (!Enum.IsDefined(Kind))
        {
            errors.Add($"Kind must be openai, ollama or offgrid (was '{Kind}').");
        }

        if (Weight is < 1 or > 1000)
        {
            errors.Add($"Weight must be between 1 and 1000 (was {Weight}).");
        }

        foreach ((string served, string remote) in Models ?? [])
        {
            if (string.IsNullOrWhiteSpace(served) || string.IsNullOrWhiteSpace(remote))
            {
                errors.Add($"Models maps '{served}' to '{remote}': both names must be set.");
            }
        }

        if (ConnectTimeout <= TimeSpan.Zero || FirstTokenTimeout <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("ConnectTimeout, FirstTokenTimeout and RequestTimeout must be positive.");
        }
        else if (RequestTimeout < FirstTokenTimeout)
        {
            errors.Add($"RequestTimeout ({RequestTimeout}) must not be shorter than FirstTokenTimeout ({FirstTokenTimeout}).");
        }

        return errors;
    }
}
