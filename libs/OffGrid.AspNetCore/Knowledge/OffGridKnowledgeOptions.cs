using OffGrid.Rag.Storage;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>
/// Settings of the server's knowledge bases, bound from <c>Server:Knowledge</c>: where collections live, the limits on
/// uploads and URL imports, and how chat with knowledge retrieves and budgets sources.
/// </summary>
/// <remarks>Validated with <see cref="OffGridServerOptions"/> at start; read-only afterwards.</remarks>
public sealed class OffGridKnowledgeOptions
{
    /// <summary>The folder of the collections; <see langword="null"/> for <c>knowledge</c> under the Hub's home folder (<c>OFFGRID_HOME</c>).</summary>
    public string? Directory { get; set; }

    /// <summary>The largest upload request (all files together), in bytes; larger ones get 413. Defaults to 256 MiB.</summary>
    public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The largest document read from a URL (or a file), in bytes; larger ones fail as that document's error. Defaults to 64 MiB.</summary>
    public long MaxDocumentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The time allowed for fetching one URL, redirects included. Defaults to 30 seconds.</summary>
    public TimeSpan UrlFetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many redirects a URL fetch follows. Defaults to 5.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Whether URL imports may reach loopback, private and link-local addresses. Off by default: a client could otherwise
    /// make the server fetch from inside its network. Checked on every connection, redirects included.
    /// </summary>
    public bool AllowPrivateNetworkUrls { get; set; }

    /// <summary>How vectors are searched: <see cref="VectorSearchMode.Exact"/> by default, <see cref="VectorSearchMode.Quantized"/> for very large collections.</summary>
    public VectorSearchMode VectorSearch { get; set; } = VectorSearchMode.Exact;

    /// <summary>Sources retrieved for a chat request that does not say (<c>knowledge.top_k</c>). Defaults to 4.</summary>
    public int TopK { get; set; } = 4;

    /// <summary>
    /// The most tokens of source text put into a chat prompt, counted with the chat model's tokenizer; also capped at half
    /// the context the model runs with. Defaults to 2048.
    /// </summary>
    public int MaxContextTokens { get; set; } = 2048;

    /// <summary>Whether answers must open with a source marker such as <c>[1]</c> unless a request says otherwise (<c>knowledge.require_citations</c>).</summary>
    public bool RequireCitations { get; set; }

    /// <summary>
    /// How long a search waits for the remote OffGrid nodes a collection includes; a node that has not answered by then is
    /// reported and the result is flagged partial. Defaults to 5 seconds.
    /// </summary>
    public TimeSpan FederationDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lists what is wrong with the options.</summary>
    /// <returns>One sentence per problem.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Directory is { } directory && string.IsNullOrWhiteSpace(directory))
        {
            errors.Add("Server:Knowledge:Directory must not be blank.");
        }

        if (MaxUploadBytes < 1024 || MaxDocumentBytes < 1024)
        {
            errors.Add("Server:Knowledge:MaxUploadBytes and MaxDocumentBytes must be at least 1024.");
        }

        if (UrlFetchTimeout <= TimeSpan.Zero || MaxRedirects < 0)
        {
            errors.Add("Server:Knowledge:UrlFetchTimeout must be positive and MaxRedirects not negative.");
        }

        if (!Enum.IsDefined(VectorSearch))
        {
            errors.Add($"Server:Knowledge:VectorSearch has an unknown value {VectorSearch}.");
        }

        if (FederationDeadline <= TimeSpan.Zero || FederationDeadline > TimeSpan.FromMinutes(10))
        {
            errors.Add("Server:Knowledge:FederationDeadline must be more than 0 and at most 10 minutes.");
        }

        if (TopK < 1 || MaxContextTokens < 16)
        {
            errors.Add("Server:Knowledge:TopK must be at least 1 and MaxContextTokens at least 16.");
        }

        return errors;
    }
}
