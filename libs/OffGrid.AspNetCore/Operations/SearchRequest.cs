using System.Globalization;
using OffGrid.AspNetCore.Http;
using OffGrid.Hub.HuggingFace;

namespace OffGrid.AspNetCore.Operations;

/// <summary>The filters of <c>/v1/search</c>: the JSON body of a POST, or the query string of a GET (same names).</summary>
internal sealed class SearchRequest
{
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
    /// <exception cref="ApiException">400 when a number or flag does not parse.</exception>
    public static SearchRequest FromQuery(IQueryCollection query) => new()
    {
        Query = query["query"].FirstOrDefault() ?? query["q"].FirstOrDefault(),
        Author = query["author"].FirstOrDefault(),
        Sort = query["sort"].FirstOrDefault(),
        Limit = Parse<int>(query, "limit", s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : (int?)null),
        Quantization = query["quantization"].FirstOrDefault(),
        MinSizeBytes = Parse<long>(query, "min_size_bytes", s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : (long?)null),
        MaxSizeBytes = Parse<long>(query, "max_size_bytes", s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : (long?)null),
        ChatOnly = Parse<bool>(query, "chat_only", s => bool.TryParse(s, out bool v) ? v : (bool?)null),
        IncludeGated = Parse<bool>(query, "include_gated", s => bool.TryParse(s, out bool v) ? v : (bool?)null),
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
        Limit = Limit is null or (>= 1 and <= 100) ? Limit ?? 20 : throw ApiException.BadRequest("'limit' must be between 1 and 100.", "limit"),
        Quantization = Quantization,
        MinSizeBytes = MinSizeBytes,
        MaxSizeBytes = MaxSizeBytes,
        ChatOnly = ChatOnly ?? false,
        ExcludeGated = !(IncludeGated ?? false),
    };

    private static T? Parse<T>(IQueryCollection query, string name, Func<string, T?> parse)
        where T : struct =>
        query[name].FirstOrDefault() is { } text ? parse(text) ?? throw ApiException.BadRequest($"'{name}' has an invalid value.", name) : null;
}
