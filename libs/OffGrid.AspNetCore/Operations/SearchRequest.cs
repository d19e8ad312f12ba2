using System.Text.Json.Serialization;
using OffGrid.AspNetCore.Http;
using OffGrid.Hub.HuggingFace;

namespace OffGrid.AspNetCore.Operations;

/// <summary>The filters of <c>/v1/search</c>: the JSON body of a POST, or the query string of a GET (same names).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class SearchRequest
{
    private const int MaxLimit = 100;

    public string? Query { get; set; }

    public string? Author { get; set; }

    /// <summary><c>downloads</c> (default), <c>likes</c>, <c>last_modified</c> or <c>created_at</c>.</summary>
    public string? Sort { get; set; }

    public int? Limit { get; set; }

    public string? Quantization { get; set; }

    public long? MinSizeBytes { get; set; }

    public long? MaxSizeBytes { get; set; }

    public bool? ChatOnly { get; set; }

    public bool? IncludeGated { get; set; }

    /// <summary>Reads the filters from a query string.</summary>
    /// <exception cref="ApiException">400 when a number or flag does not parse or a number is out of range.</exception>
    public static SearchRequest FromQuery(IQueryCollection query) => new()
    {
        Query = query["query"].FirstOrDefault() ?? query["q"].FirstOrDefault(),
        Author = query["author"].FirstOrDefault(),
        Sort = query["sort"].FirstOrDefault(),
        Limit = (int?)QueryNumber.Read(query, "limit", 1, MaxLimit),
        Quantization = query["quantization"].FirstOrDefault(),
        MinSizeBytes = QueryNumber.Read(query, "min_size_bytes", 0, long.MaxValue),
        MaxSizeBytes = QueryNumber.Read(query, "max_size_bytes", 0, long.MaxValue),
        ChatOnly = Flag(query, "chat_only"),
        IncludeGated = Flag(query, "include_gated"),
    };

    /// <summary>Validates the filters and builds the Hub query.</summary>
    public ModelSearchQuery ToQuery() => new()
    {
        Search = Query,
        Author = Author,
        Sort = Sort switch
        {
            null or "downloads" => ModelSortField.Downloads,
            "likes" => ModelSortField.Likes,
            "last_modified" => ModelSortField.LastModified,
            "created_at" => ModelSortField.CreatedAt,
            _ => throw ApiException.BadRequest("'sort' must be downloads, likes, last_modified or created_at.", "sort"),
        },
        Limit = (int)(QueryNumber.Check("limit", Limit, 1, MaxLimit) ?? 20),
        Quantization = Quantization,
        MinSizeBytes = QueryNumber.Check("min_size_bytes", MinSizeBytes, 0, long.MaxValue),
        MaxSizeBytes = QueryNumber.Check("max_size_bytes", MaxSizeBytes, 0, long.MaxValue),
        ChatOnly = ChatOnly ?? false,
        ExcludeGated = !(IncludeGated ?? false),
    };

    private static bool? Flag(IQueryCollection query, string name) =>
        query[name].ToString() is not { Length: > 0 } text ? null
        : bool.TryParse(text, out bool value) ? value
        : throw ApiException.BadRequest($"'{name}' must be true or false (was '{text}').", name);
}
