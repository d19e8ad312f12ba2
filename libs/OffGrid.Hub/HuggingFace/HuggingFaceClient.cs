using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Quantization;
using OffGrid.Hub.References;

namespace OffGrid.Hub.HuggingFace;

/// <summary>
/// Talks to the Hugging Face Hub (or a mirror set by <c>HF_ENDPOINT</c>): searches GGUF models, lists repository
/// files with sizes and SHA-256, and builds verified download requests for <see cref="FileDownloader"/>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class HuggingFaceClient
{
    private const string TokenHint = "Set HF_TOKEN (or HuggingFaceOptions.Token) to an access token that may read this repository, and accept its licence on the Hub if it is gated.";

    private readonly HttpClient _http;
    private readonly HuggingFaceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClient">
    /// The client for API calls. The one <c>AddOffGridHub</c> registers (<see cref="Microsoft.Extensions.DependencyInjection.HubServiceCollectionExtensions.ApiHttpClientName"/>)
    /// retries transient failures; a client made by hand sends each request once.
    /// </param>
    /// <param name="options">Endpoint, token and cache; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Receives diagnostics.</param>
    public HuggingFaceClient(HttpClient httpClient, HuggingFaceOptions? options = null, ILogger<HuggingFaceClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        _options = options ?? new HuggingFaceOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the Hub address in use.</summary>
    public Uri Endpoint => _options.Endpoint;

    /// <summary>Searches models. Results are cached on disk for <see cref="HuggingFaceOptions.SearchCacheTtl"/> and served from the cache when the Hub is unreachable.</summary>
    /// <param name="query">What to look for.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The matching models, in the requested order.</returns>
    /// <exception cref="HubHttpException">The Hub refused the request (401, 403, 429…).</exception>
    /// <exception cref="HostUnreachableException">The Hub could not be reached or did not answer in time, and no cached result exists.</exception>
    public async Task<IReadOnlyList<HubModelSummary>> SearchModelsAsync(ModelSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 1000, nameof(query));
        bool postFiltered = query.Quantization is not null || query.ChatOnly || query.MinSizeBytes is not null || query.MaxSizeBytes is not null;
        Uri uri = BuildSearchUri(query, postFiltered ? Math.Min(1000, query.Limit * 5) : query.Limit);
        string wanted = query.Search is { Length: > 0 } text ? $"a search for '{text}'" : "a model search";
        using JsonDocument json = await GetJsonCachedAsync(uri, wanted, cancellationToken).ConfigureAwait(false);
        var results = new List<HubModelSummary>();
        foreach (JsonElement item in json.RootElement.EnumerateArray())
        {
            HubModelSummary model = ParseModel(item);
            if ((query.ExcludeGated && model.IsGated)
                || (query.ChatOnly && !model.IsChatModel)
                || (query.Quantization is { } q && !model.Variants.Any(v => v.Quantization?.Is(q) == true)))
            {
                continue;
            }

            if (query.MinSizeBytes is not null || query.MaxSizeBytes is not null)
            {
                IReadOnlyList<ModelVariant> sized = await GetVariantsAsync(model.Id, model.Sha ?? ModelReference.DefaultRevision, cancellationToken).ConfigureAwait(false);
                sized = sized.Where(v => v.SizeBytes >= (query.MinSizeBytes ?? 0) && v.SizeBytes <= (query.MaxSizeBytes ?? long.MaxValue)
                    && (query.Quantization is null || v.Quantization?.Is(query.Quantization) == true)).ToList();
                if (sized.Count == 0)
                {
                    continue;
                }

                model = model with { Variants = sized };
            }

            results.Add(model);
            if (results.Count == query.Limit)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>Lists every file of a repository revision with sizes and LFS SHA-256. Unsafe paths (<c>..</c>, absolute) are left out.</summary>
    /// <param name="repository">The repository id <c>owner/name</c>.</param>
    /// <param name="revision">A branch, tag or commit.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The files.</returns>
    /// <exception cref="HubHttpException">The repository does not exist (404) or may not be read (401, 403).</exception>
    /// <exception cref="HostUnreachableException">The Hub could not be reached or did not answer in time.</exception>
    public async Task<IReadOnlyList<HubRepoFile>> GetFilesAsync(string repository, string revision = ModelReference.DefaultRevision, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(revision);
        var files = new List<HubRepoFile>();
        Uri? next = new(_options.Endpoint, $"api/models/{EscapeRepo(repository)}/tree/{Uri.EscapeDataString(revision)}?recursive=true");
        while (next is not null)
        {
            using HttpResponseMessage response = await SendAsync(next, $"the file list of {repository}", cancellationToken).ConfigureAwait(false);
            using JsonDocument json = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
            foreach (JsonElement entry in json.RootElement.EnumerateArray())
            {
                if (GetString(entry, "type") != "file" || GetString(entry, "path") is not { } path)
                {
                    continue;
                }

                if (!RepositoryPath.IsSafe(path))
                {
                    _logger.LogWarning("Ignoring unsafe file name {Path} in {Repository}", path, repository);
                    continue;
                }

                JsonElement lfs = entry.TryGetProperty("lfs", out JsonElement l) && l.ValueKind == JsonValueKind.Object ? l : default;
                long size = lfs.ValueKind == JsonValueKind.Object && lfs.TryGetProperty("size", out JsonElement ls) ? ls.GetInt64() : GetInt64(entry, "size");
                string? sha = lfs.ValueKind == JsonValueKind.Object ? GetString(lfs, "oid") : null;
                files.Add(new HubRepoFile(path, size, sha, GetString(entry, "oid")));
            }

            next = NextPage(response);
        }

        return files;
    }

    /// <summary>Lists the GGUF variants of a repository (split files joined, projector files left out).</summary>
    /// <param name="repository">The repository id.</param>
    /// <param name="revision">A branch, tag or commit.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The variants.</returns>
    public async Task<IReadOnlyList<ModelVariant>> GetVariantsAsync(string repository, string revision = ModelReference.DefaultRevision, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<HubRepoFile> files = await GetFilesAsync(repository, revision, cancellationToken).ConfigureAwait(false);
        return ModelVariant.FromFiles(files.Select(f => (f.Path, f.Size)));
    }

    /// <summary>Builds the download address of a repository file (<c>/{repo}/resolve/{revision}/{path}</c>).</summary>
    /// <param name="repository">The repository id.</param>
    /// <param name="revision">A branch, tag or commit.</param>
    /// <param name="path">The file path inside the repository.</param>
    /// <returns>The address; the Hub answers it with a redirect to the content.</returns>
    /// <exception cref="InvalidDataException">The path is not a safe relative path.</exception>
    public Uri GetResolveUri(string repository, string revision, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(revision);
        RepositoryPath.EnsureSafe(path);
        string escapedPath = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        return new Uri(_options.Endpoint, $"{EscapeRepo(repository)}/resolve/{Uri.EscapeDataString(revision)}/{escapedPath}");
    }

    /// <summary>Builds a download request for a repository file, with its size, SHA-256 and the access token.</summary>
    /// <param name="repository">The repository id.</param>
    /// <param name="revision">A branch, tag or commit.</param>
    /// <param name="file">The file, as listed by <see cref="GetFilesAsync"/>.</param>
    /// <param name="destinationPath">Where to store it.</param>
    /// <returns>The request.</returns>
    public DownloadRequest CreateDownloadRequest(string repository, string revision, HubRepoFile file, string destinationPath)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new DownloadRequest
        {
            Source = GetResolveUri(repository, revision, file.Path),
            DestinationPath = destinationPath,
            ExpectedSize = file.Size,
            ExpectedHash = file.Sha256 is { Length: 64 } sha ? ContentHash.Sha256(sha) : null,
            Headers = _options.Token is { } token ? new Dictionary<string, string> { ["Authorization"] = "Bearer " + token } : null,
        };
    }

    private Uri BuildSearchUri(ModelSearchQuery query, int limit)
    {
        var q = new StringBuilder("api/models?full=true");
        if (query.Search is { Length: > 0 } search)
        {
            q.Append("&search=").Append(Uri.EscapeDataString(search));
        }

        if (query.Author is { Length: > 0 } author)
        {
            q.Append("&author=").Append(Uri.EscapeDataString(author));
        }

        if (query.GgufOnly)
        {
            q.Append("&filter=gguf");
        }

        if (query.ExcludeGated)
        {
            q.Append("&gated=false");
        }

        string sort = query.Sort switch
        {
            ModelSortField.Likes => "likes",
            ModelSortField.LastModified => "lastModified",
            ModelSortField.CreatedAt => "createdAt",
            _ => "downloads",
        };
        q.Append("&sort=").Append(sort).Append("&direction=").Append(query.Descending ? "-1" : "1");
        q.Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        return new Uri(_options.Endpoint, q.ToString());
    }

    private async Task<JsonDocument> GetJsonCachedAsync(Uri uri, string wanted, CancellationToken ct)
    {
        string? cacheFile = _options.CacheDirectory is { } dir
            ? Path.Combine(dir, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uri.AbsoluteUri)))[..32] + ".json")
            : null;
        if (cacheFile is not null && File.Exists(cacheFile) && DateTime.UtcNow - File.GetLastWriteTimeUtc(cacheFile) < _options.SearchCacheTtl)
        {
            return JsonDocument.Parse(await File.ReadAllBytesAsync(cacheFile, ct).ConfigureAwait(false));
        }

        byte[] body;
        try
        {
            using HttpResponseMessage response = await SendAsync(uri, wanted, ct).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (cacheFile is not null && File.Exists(cacheFile) && ex is HostUnreachableException or HubHttpException { IsTransient: true })
        {
            _logger.LogWarning(ex, "The Hub is unreachable; using the cached result of {Uri}", uri);
            return JsonDocument.Parse(await File.ReadAllBytesAsync(cacheFile, ct).ConfigureAwait(false));
        }

        JsonDocument json = JsonDocument.Parse(body);
        if (cacheFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
            string temp = cacheFile + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temp, body, ct).ConfigureAwait(false);
            File.Move(temp, cacheFile, overwrite: true);
        }

        return json;
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, string wanted, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (HostUnreachableException.IsNetworkFailure(ex) && !ct.IsCancellationRequested)
        {
            // The resilience pipeline gave up (or never retried: a name that does not resolve stays unresolved).
            throw new HostUnreachableException(uri, wanted, HostUnreachableException.ModelOfflineAdvice, ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw HubHttpException.FromResponse(response, TokenHint);
            }
        }

        return response;
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        Stream stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    private Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out IEnumerable<string>? links))
        {
            return null;
        }

        foreach (string part in links.SelectMany(l => l.Split(',')))
        {
            int open = part.IndexOf('<', StringComparison.Ordinal);
            int close = part.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && part.Contains("rel=\"next\"", StringComparison.Ordinal))
            {
                return new Uri(_options.Endpoint, part[(open + 1)..close]);
            }
        }

        return null;
    }

    private static HubModelSummary ParseModel(JsonElement item)
    {
        string id = GetString(item, "id") ?? GetString(item, "modelId") ?? throw new InvalidDataException("A search result has no id.");
        string[] files = item.TryGetProperty("siblings", out JsonElement siblings) && siblings.ValueKind == JsonValueKind.Array
            ? siblings.EnumerateArray().Select(s => GetString(s, "rfilename")).OfType<string>().Where(RepositoryPath.IsSafe).ToArray()
            : [];
        return new HubModelSummary
        {
            Id = id,
            Author = GetString(item, "author") ?? id.Split('/')[0],
            Downloads = GetInt64(item, "downloads"),
            Likes = GetInt64(item, "likes"),
            LastModified = GetDate(item, "lastModified"),
            CreatedAt = GetDate(item, "createdAt"),
            IsGated = item.TryGetProperty("gated", out JsonElement gated) && gated.ValueKind is JsonValueKind.True or JsonValueKind.String,
            Tags = item.TryGetProperty("tags", out JsonElement tags) && tags.ValueKind == JsonValueKind.Array
                ? tags.EnumerateArray().Select(t => t.GetString()).OfType<string>().ToArray()
                : [],
            PipelineTag = GetString(item, "pipeline_tag"),
            Sha = GetString(item, "sha"),
            Files = files,
            Variants = ModelVariant.FromFiles(files.Select(f => (f, 0L))),
        };
    }

    private static string EscapeRepo(string repository) => string.Join('/', repository.Split('/').Select(Uri.EscapeDataString));

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long GetInt64(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : 0;

    private static DateTimeOffset? GetDate(JsonElement e, string name) =>
        GetString(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset d) ? d : null;
}
