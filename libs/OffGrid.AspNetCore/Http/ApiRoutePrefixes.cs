namespace OffGrid.AspNetCore.Http;

/// <summary>
/// The prefixes the app mapped its APIs under (<c>MapOpenAi("/openai/v1")</c>, <c>MapOllama("/api")</c>…), each with its
/// API's error shape, so that a 404 or 405 the routing answers before any endpoint runs still gets the body an OpenAI or
/// Ollama client can read. Filled while endpoints are mapped, read per request; thread-safe.
/// </summary>
internal sealed class ApiRoutePrefixes
{
    private readonly Lock _lock = new();
    private List<(PathString Prefix, Func<ApiError, object> Shape)> _prefixes = [];

    /// <summary>Records that the API under <paramref name="prefix"/> answers errors with <paramref name="shape"/>.</summary>
    public void Add(PathString prefix, Func<ApiError, object> shape)
    {
        lock (_lock)
        {
            // Longest first, so that /v1/knowledge wins over /v1; a copy, so that readers never see a list being sorted.
            _prefixes = [.. _prefixes.Append((Prefix: prefix, Shape: shape)).OrderByDescending(p => p.Prefix.Value?.Length ?? 0)];
        }
    }

    /// <summary>The error shape of the API whose prefix <paramref name="path"/> is under, or <see langword="null"/>.</summary>
    public Func<ApiError, object>? FindShape(PathString path) =>
        Volatile.Read(ref _prefixes).FirstOrDefault(p => path.StartsWithSegments(p.Prefix)).Shape;
}
