using OffGrid.Rag.Chunking;
using OffGrid.Rag.Storage;

namespace OffGrid.Rag;

/// <summary>Settings of an OffGrid knowledge base: where it is stored, how vectors are searched and the limits applied to ingestion.</summary>
/// <remarks>Configure once before the knowledge base is created; the instance is read, never mutated, afterwards and is then safe to share between threads.</remarks>
public sealed class RagOptions
{
    /// <summary>Gets or sets the SQLite file that holds the whole knowledge base. Defaults to <c>rag/knowledge.db</c> under <see cref="Hub.OffGridHome"/> (<c>$OFFGRID_HOME</c>, else <c>~/.offgrid</c>).</summary>
    public string DatabasePath { get; set; } = Hub.OffGridHome.Combine("rag", "knowledge.db");

    /// <summary>Gets or sets how vector similarity is computed: the sqlite-vec extension, the exact in-process fallback, or whichever is available.</summary>
    public VectorSearchMode VectorSearch { get; set; } = VectorSearchMode.Auto;

    /// <summary>
    /// Gets or sets the path of the sqlite-vec loadable extension (<c>vec0.so</c>). When unset, the <c>OFFGRID_SQLITE_VEC_PATH</c>
    /// environment variable and then <c>~/.offgrid/runtime/sqlite-vec*/</c> are searched.
    /// </summary>
    public string? SqliteVecPath { get; set; }

    /// <summary>Gets or sets the largest document, in bytes, that is read or downloaded. Larger documents fail with a per-document error.</summary>
    public long MaxDocumentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the time allowed for fetching one URL, redirects included.</summary>
    public TimeSpan UrlFetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many HTTP redirects a URL fetch follows before failing.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Gets or sets whether URLs may point at loopback, private (RFC 1918, unique-local), link-local or unspecified addresses.
    /// Off by default so that a URL a user submits cannot reach services inside the network; every connection, redirects
    /// included, is checked against the addresses the name resolved to.
    /// </summary>
    public bool AllowPrivateNetworkUrls { get; set; }

    /// <summary>Gets or sets how many documents are read and parsed at once in a batch ingestion. Defaults to the processor count.</summary>
    public int IngestionParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets how many chunks are sent to the embedding generator in one call.</summary>
    public int EmbeddingBatchSize { get; set; } = 32;

    /// <summary>Gets or sets the counter used to measure chunk sizes. Defaults to <see cref="TokenCounter.Estimate"/>; plug in the model tokenizer with <see cref="TokenCounter.FromFunction"/>.</summary>
    public TokenCounter TokenCounter { get; set; } = TokenCounter.Estimate;

    /// <summary>Gets or sets the collection used by sources that name none.</summary>
    public string DefaultCollection { get; set; } = "default";

    /// <summary>Lists what is wrong with these settings; empty when they are usable.</summary>
    /// <returns>One message per invalid setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            errors.Add($"{nameof(DatabasePath)} must name a file.");
        }

        if (!Enum.IsDefined(VectorSearch))
        {
            errors.Add($"{nameof(VectorSearch)} has an unknown value {VectorSearch}.");
        }

        if (MaxDocumentBytes <= 0)
        {
            errors.Add($"{nameof(MaxDocumentBytes)} must be positive.");
        }

        if (UrlFetchTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(UrlFetchTimeout)} must be positive.");
        }

        if (MaxRedirects < 0)
        {
            errors.Add($"{nameof(MaxRedirects)} must not be negative.");
        }

        if (IngestionParallelism <= 0)
        {
            errors.Add($"{nameof(IngestionParallelism)} must be positive.");
        }

        if (EmbeddingBatchSize <= 0)
        {
            errors.Add($"{nameof(EmbeddingBatchSize)} must be positive.");
        }

        if (TokenCounter is null)
        {
            errors.Add($"{nameof(TokenCounter)} must be set.");
        }

        if (string.IsNullOrWhiteSpace(DefaultCollection))
        {
            errors.Add($"{nameof(DefaultCollection)} must not be empty.");
        }

        return errors;
    }

    /// <summary>Copies these settings.</summary>
    /// <returns>A new instance with the same values.</returns>
    public RagOptions Clone() => (RagOptions)MemberwiseClone();

    internal void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid RAG options: " + string.Join(" ", errors), nameof(RagOptions));
        }
    }
}
