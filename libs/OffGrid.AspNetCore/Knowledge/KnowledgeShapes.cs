using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>The JSON objects of the knowledge API (snake_case through the server's serializer; times in Unix seconds).</summary>
internal static class KnowledgeShapes
{
    public static object Collection(CollectionInfo info) => new
    {
        @object = "knowledge.collection",
        name = info.Definition.Name,
        embedding_model = info.Definition.EmbeddingModel,
        description = info.Definition.Description,
        chunking = new { max_tokens = info.Definition.ChunkMaxTokens, overlap_tokens = info.Definition.ChunkOverlapTokens },
        created_at = info.CreatedAt.ToUnixTimeSeconds(),
        documents = info.Statistics.Documents,
        chunks = info.Statistics.Chunks,
        bytes = info.Statistics.ContentBytes,
        dimensions = info.Statistics.Dimensions,
    };

    public static object Document(StoredDocument document) => new
    {
        @object = "knowledge.document",
        id = document.Id,
        collection = document.Collection,
        source = document.Source,
        title = document.Title,
        format = document.Format.ToLowerInvariant(),
        content_hash = document.ContentHash,
        chunks = document.ChunkCount,
        bytes = document.SizeBytes,
        metadata = document.Metadata,
        ingested_at = document.IngestedAt.ToUnixTimeSeconds(),
    };

    public static object Job(IngestionJob job, bool withResults = true) => new
    {
        @object = "knowledge.ingestion_job",
        id = job.Id,
        collection = job.Collection,
        status = job.Status.ToString().ToLowerInvariant(),
        created_at = job.CreatedAt.ToUnixTimeSeconds(),
        finished_at = job.FinishedAt?.ToUnixTimeSeconds(),
        error = job.Error,
        progress = Progress(job.GetProgress()),
        results = withResults ? job.Results.Select(Result).ToArray() : null,
    };

    public static object Progress(IngestionJobProgress progress) => new
    {
        @object = "knowledge.ingestion_progress",
        status = progress.Status.ToString().ToLowerInvariant(),
        documents_total = progress.DocumentsTotal,
        documents_completed = progress.DocumentsCompleted,
        documents_failed = progress.DocumentsFailed,
        documents_unchanged = progress.DocumentsUnchanged,
        chunks = progress.Chunks,
        bytes_completed = progress.BytesCompleted,
        bytes_total = progress.BytesTotal,
        elapsed_seconds = Math.Round(progress.Elapsed.TotalSeconds, 3),
        eta_seconds = progress.EstimatedRemaining is { } eta ? Math.Round(eta.TotalSeconds, 1) : (double?)null,
        current = progress.Current,
    };

    public static object Result(IngestionResult result) => new
    {
        source = result.Source,
        status = result.Status.ToString().ToLowerInvariant(),
        document_id = result.DocumentId,
        chunks = result.ChunkCount,
        bytes = result.Bytes,
        error = result.Error,
    };

    public static object Hit(SearchHit hit, int index) => new
    {
        index,
        text = hit.Text,
        score = hit.Scores.Fused,
        scores = new { keyword = hit.Scores.Keyword, keyword_rank = hit.Scores.KeywordRank, vector = hit.Scores.Vector, vector_rank = hit.Scores.VectorRank },
        citation = Source(hit.Citation, index),
    };

    /// <summary>One cited source, as search hits and chat answers (<c>sources</c>) show it: <c>index</c> is the <c>[n]</c> of the answer.</summary>
    public static object Source(Citation citation, int index) => new
    {
        index,
        collection = citation.Collection,
        document_id = citation.DocumentId,
        chunk_id = citation.ChunkId,
        title = citation.Title,
        source = citation.Source,
        page = citation.Page,
        heading_path = citation.HeadingPath.Length > 0 ? citation.HeadingPath : null,
        snippet = citation.Snippet,
        chunk_index = citation.ChunkIndex,
        start_offset = citation.StartOffset,
        end_offset = citation.EndOffset,
        node = citation.Node,
        node_url = citation.NodeUrl?.AbsoluteUri,
    };

    /// <summary>A collection's remote node; the API key itself is never shown.</summary>
    public static object Node(KnowledgeNode node) => new
    {
        @object = "knowledge.node",
        name = node.Name,
        url = node.Url.AbsoluteUri,
        collection = node.Collection,
        weight = node.Weight,
        has_api_key = !string.IsNullOrEmpty(node.ApiKey),
    };

    /// <summary>What one remote node answered to a federated search.</summary>
    public static object NodeStatus(NodeSearchStatus status) => new
    {
        node = status.Node,
        url = status.Url.AbsoluteUri,
        collection = status.Collection,
        status = status.Error is null ? "ok" : "failed",
        hits = status.Hits,
        elapsed_ms = Math.Round(status.Elapsed.TotalMilliseconds, 1),
        error = status.Error,
    };

    /// <summary>The <c>knowledge</c> object of a chat answer whose sources came from remote nodes too: <c>partial</c> and each node's status.</summary>
    public static object? Federation(Microsoft.Extensions.AI.AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(OffGrid.Rag.Chat.RagChatClient.KnowledgeNodesPropertyName, out object? value) == true && value is IReadOnlyList<NodeSearchStatus> nodes
            ? new { partial = nodes.Any(n => n.Error is not null), nodes = nodes.Select(NodeStatus) }
            : null;

    /// <summary>The <c>sources</c> of a chat answer, from the citations the RAG middleware put on the response or its first update.</summary>
    public static object[]? Sources(Microsoft.Extensions.AI.AdditionalPropertiesDictionary? properties) =>
        properties?.TryGetValue(OffGrid.Rag.Chat.RagChatClient.CitationsPropertyName, out object? value) == true && value is IReadOnlyList<Citation> citations
            ? [.. citations.Select((c, i) => Source(c, i + 1))]
            : null;
}
