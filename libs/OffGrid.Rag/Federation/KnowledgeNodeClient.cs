using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffGrid.Hub;
using OffGrid.Rag.Search;

namespace OffGrid.Rag.Federation;

/// <summary>
/// Calls a remote OffGrid node's <c>POST v1/knowledge/search</c> with <c>local_only</c> (so that nodes which include each other do
/// not query in circles) and reads its hits back as <see cref="SearchHit"/>s that cite the node.
/// </summary>
internal static class KnowledgeNodeClient
{
    public static async Task<IReadOnlyList<SearchHit>> SearchAsync(HttpClient http, KnowledgeNode node, string query, SearchOptions options, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["query"] = query,
            ["collections"] = new JsonArray(node.Collection),
            ["top_k"] = options.Top,
            ["alpha"] = options.Alpha,
            ["fusion"] = options.Fusion == FusionMethod.ReciprocalRank ? "rrf" : "weighted",
            ["rrf_k"] = options.ReciprocalRankK,
            ["min_score"] = options.MinScore,
            ["local_only"] = true,
        };
        if (options.Filters is { Count: > 0 } filters)
        {
            body["filters"] = new JsonObject(filters.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WithSlash(node.Url), "v1/knowledge/search")) { Content = JsonContent.Create(body) };
        if (!string.IsNullOrEmpty(node.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", node.ApiKey);
        }

        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {ErrorMessage(text, response)}", null, response.StatusCode);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return [.. document.RootElement.GetProperty("data").EnumerateArray().Select(hit => ReadHit(hit, node))];
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // The parser's own words ("The given key was not present in the dictionary.") say nothing about the node.
            throw new HttpRequestException("the node answered with an unexpected body (not an OffGrid knowledge search answer)", ex);
        }
    }

    private static SearchHit ReadHit(JsonElement hit, KnowledgeNode node)
    {
        JsonElement citation = hit.GetProperty("citation");
        JsonElement scores = hit.GetProperty("scores");
        return new SearchHit(
            hit.GetProperty("text").GetString() ?? string.Empty,
            new Citation
            {
                DocumentId = citation.GetProperty("document_id").GetInt64(),
                ChunkId = citation.GetProperty("chunk_id").GetInt64(),
                Collection = citation.GetProperty("collection").GetString() ?? node.Collection,
                Title = citation.GetProperty("title").GetString() ?? string.Empty,
                Source = citation.GetProperty("source").GetString() ?? string.Empty,
                Page = Int(citation, "page"),
                HeadingPath = citation.TryGetProperty("heading_path", out JsonElement heading) && heading.ValueKind == JsonValueKind.String ? heading.GetString()! : string.Empty,
                ChunkIndex = Int(citation, "chunk_index") ?? 0,
                StartOffset = Int(citation, "start_offset") ?? 0,
                EndOffset = Int(citation, "end_offset") ?? 0,
                Snippet = citation.GetProperty("snippet").GetString() ?? string.Empty,
                Node = node.Name,
                NodeUrl = node.Url,
            },
            new SearchScores(Double(scores, "keyword"), Int(scores, "keyword_rank"), Double(scores, "vector"), Int(scores, "vector_rank"), hit.GetProperty("score").GetDouble()));
    }

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static double? Double(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>The message of an OpenAI- or Ollama-shaped error; for anything else (a web server's HTML page, a proxy's text), the status's reason and the kind of body, never the body itself.</summary>
    private static string ErrorMessage(string text, HttpResponseMessage response)
    {
        if (HttpErrorMessage.Read(text) is { } message)
        {
            return message;
        }

        string reason = response.ReasonPhrase is { Length: > 0 } phrase ? phrase : "error";
        string kind = response.Content.Headers.ContentType?.MediaType ?? "no content type";
        return string.Create(CultureInfo.InvariantCulture, $"{reason} (a {kind} answer, not an OffGrid node's error; is the URL an OffGrid server?)");
    }

    private static Uri WithSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
