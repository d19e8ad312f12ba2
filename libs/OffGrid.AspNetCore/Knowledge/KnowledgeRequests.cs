using System.Text.Json.Serialization;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Search;
using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>The body of <c>POST /v1/knowledge/collections</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class CreateCollectionRequest
{
    public string? Name { get; set; }

    public string? EmbeddingModel { get; set; }

    public string? Description { get; set; }

    public ChunkingSettings? Chunking { get; set; }

    /// <summary><c>chunking</c>: token sizes; unset values are tuned per document.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    internal sealed class ChunkingSettings
    {
        public int? MaxTokens { get; set; }

        public int? OverlapTokens { get; set; }
    }
}

/// <summary>The body of <c>POST /v1/knowledge/collections/{name}/nodes</c>: a remote OffGrid node searched with the collection.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class AddNodeRequest
{
    public string? Name { get; set; }

    public string? Url { get; set; }

    /// <summary>The collection on the node; defaults to the local collection's name.</summary>
    public string? Collection { get; set; }

    public string? ApiKey { get; set; }

    public double? Weight { get; set; }

    public KnowledgeNode ToNode(string collection)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out Uri? url))
        {
            throw ApiException.BadRequest("'url' must be the node's absolute http or https URL, such as http://10.0.0.5:11611/.", "url");
        }

        return new KnowledgeNode
        {
            Name = Name ?? KnowledgeNode.NameFor(url),
            Url = url,
            Collection = Collection ?? collection,
            ApiKey = string.IsNullOrEmpty(ApiKey) ? null : ApiKey,
            Weight = Weight ?? 1,
        };
    }
}

/// <summary>The JSON body of <c>POST /v1/knowledge/collections/{name}/documents</c>: documents to import from URLs.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ImportDocumentsRequest
{
    public List<string>? Urls { get; set; }

    public bool Force { get; set; }
}

/// <summary>The search fields shared by <c>POST /v1/knowledge/search</c> and a chat request's <c>knowledge</c> object.</summary>
internal class KnowledgeQuery
{
    public List<string>? Collections { get; set; }

    public int? TopK { get; set; }

    public double? Alpha { get; set; }

    /// <summary><c>weighted</c> (normalised scores mixed by alpha) or <c>rrf</c> (reciprocal rank fusion).</summary>
    public string? Fusion { get; set; }

    public Dictionary<string, string>? Filters { get; set; }

    /// <summary>Validates the shared fields.</summary>
    /// <param name="param">The field prefix for error messages (<c>knowledge.</c> in chat).</param>
    public (List<string> Collections, FusionMethod? Fusion) Check(string param)
    {
        if (Collections is not { Count: > 0 } collections || collections.Any(string.IsNullOrWhiteSpace))
        {
            throw ApiException.BadRequest($"'{param}collections' must list at least one collection name.", param + "collections");
        }

        if (TopK is < 1 or > 100)
        {
            throw ApiException.BadRequest($"'{param}top_k' must be between 1 and 100.", param + "top_k");
        }

        if (Alpha is { } alpha && (double.IsNaN(alpha) || alpha < 0 || alpha > 1))
        {
            throw ApiException.BadRequest($"'{param}alpha' must be between 0 and 1.", param + "alpha");
        }

        FusionMethod? fusion = Fusion switch
        {
            null => null,
            "weighted" => FusionMethod.WeightedScores,
            "rrf" => FusionMethod.ReciprocalRank,
            _ => throw ApiException.BadRequest($"'{param}fusion' must be \"weighted\" or \"rrf\".", param + "fusion"),
        };
        if (Filters?.Keys.Any(k => k.Length == 0 || k.Contains('"', StringComparison.Ordinal)) == true)
        {
            throw ApiException.BadRequest($"'{param}filters' keys must be non-empty and contain no double quotes.", param + "filters");
        }

        return (collections, fusion);
    }
}

/// <summary>The body of <c>POST /v1/knowledge/search</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class KnowledgeSearchRequest : KnowledgeQuery
{
    public string? Query { get; set; }

    public int? RrfK { get; set; }

    public double? MinScore { get; set; }

    /// <summary>Searches this server's own files only, leaving out the collections' remote nodes (what nodes send each other).</summary>
    public bool LocalOnly { get; set; }

    public SearchOptions ToOptions(out List<string> collections)
    {
        (collections, FusionMethod? fusion) = Check(string.Empty);
        if (string.IsNullOrWhiteSpace(Query))
        {
            throw ApiException.BadRequest("'query' must not be empty.", "query");
        }

        if (RrfK is < 0)
        {
            throw ApiException.BadRequest("'rrf_k' must not be negative.", "rrf_k");
        }

        return new SearchOptions
        {
            Top = TopK ?? 5,
            Alpha = Alpha ?? 0.5,
            Fusion = fusion ?? FusionMethod.WeightedScores,
            ReciprocalRankK = RrfK ?? 60,
            Filters = Filters,
            MinScore = MinScore ?? 0,
        };
    }
}

/// <summary>
/// The chat extension field <c>knowledge</c> (OpenAI: top level; Ollama: inside <c>options</c>):
/// <c>{"collections":["docs"],"top_k":5,"alpha":0.5,"fusion":"rrf","filters":{},"require_citations":true}</c>.
/// </summary>
internal sealed class KnowledgeField : KnowledgeQuery
{
    public bool? RequireCitations { get; set; }

    /// <summary>Validates the field and turns it into the request for <see cref="RagChatClient"/>.</summary>
    public KnowledgeChatRequest ToChatRequest(string param)
    {
        (List<string> collections, FusionMethod? fusion) = Check(param);
        return new KnowledgeChatRequest
        {
            Collections = collections,
            Top = TopK,
            Alpha = Alpha,
            Fusion = fusion,
            Filters = Filters,
            RequireCitations = RequireCitations,
        };
    }
}
