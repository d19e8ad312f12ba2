using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace OffGrid.Testing.HuggingFace;

/// <summary>
/// A Hugging Face Hub look-alike on 127.0.0.1 for tests: <c>/api/models</c> search, <c>/api/models/{repo}</c> info and
/// <c>/api/models/{repo}/tree/{rev}</c> with the real JSON shapes, <c>/{repo}/resolve/{rev}/{file}</c> answered with a
/// 302 to a CDN-like <c>/cdn/{sha256}</c> path that honours Range (206), ETag and HEAD, plus raw files under
/// <c>/files/</c>. Faults can be injected: ignored ranges, a connection dropped mid-file, forced status codes,
/// a required token, and a per-write delay.
/// </summary>
internal sealed class LoopbackHubServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, LoopbackModelRepo> _repos = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _shaCache = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private int _dropsLeft;

    private LoopbackHubServer(HttpListener listener, Uri baseUri)
    {
        _listener = listener;
        BaseUri = baseUri;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri BaseUri { get; }

    /// <summary>When false, Range headers are ignored and every file is sent whole with 200.</summary>
    public bool SupportRanges { get; set; } = true;

    /// <summary>Bytes after which file responses abort the connection (for the next <see cref="DropConnections"/> responses).</summary>
    public long DropAfterBytes { get; set; }

    /// <summary>How many file responses still abort after <see cref="DropAfterBytes"/>.</summary>
    public int DropConnections
    {
        get => Volatile.Read(ref _dropsLeft);
        set => Volatile.Write(ref _dropsLeft, value);
    }

    /// <summary>When set, requests without <c>Authorization: Bearer {token}</c> get 401.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Lets a test answer a request with a status code of its choosing (return null to serve normally).</summary>
    public Func<HttpListenerRequest, (int Status, string? RetryAfter)?>? Override { get; set; }

    /// <summary>A pause after every 64 KiB of file data, to make downloads slow enough to cancel.</summary>
    public TimeSpan WriteDelay { get; set; }

    /// <summary>Every request as "METHOD path?query [Range]".</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public static LoopbackHubServer Start()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new LoopbackHubServer(listener, new Uri($"http://127.0.0.1:{port}/"));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public void AddRepo(LoopbackModelRepo repo) => _repos[repo.Id] = repo;

    /// <summary>Serves <paramref name="content"/> (bytes or a file path) at <c>/files/{name}</c>; returns its address.</summary>
    public Uri AddFile(string name, object content)
    {
        _blobs[name] = content;
        return new Uri(BaseUri, "files/" + name);
    }

    public static string Sha256Of(object content) => content switch
    {
        byte[] bytes => Convert.ToHexStringLower(SHA256.HashData(bytes)),
        string path => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
        _ => throw new ArgumentException("Content must be bytes or a file path.", nameof(content)),
    };

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        HttpListenerResponse response = context.Response;
        _requests.Enqueue($"{request.HttpMethod} {request.Url!.PathAndQuery} {request.Headers["Range"]}".TrimEnd());
        try
        {
            if (Override?.Invoke(request) is { } forced)
            {
                response.StatusCode = forced.Status;
                if (forced.RetryAfter is not null)
                {
                    response.AddHeader("Retry-After", forced.RetryAfter);
                }

                await WriteJsonAsync(response, new { error = "forced " + forced.Status });
                return;
            }

            if (RequiredToken is not null && request.Headers["Authorization"] != "Bearer " + RequiredToken)
            {
                response.StatusCode = 401;
                await WriteJsonAsync(response, new { error = "Invalid credentials in Authorization header" });
                return;
            }

            string path = Uri.UnescapeDataString(request.Url.AbsolutePath);
            await RouteAsync(path, request, response);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away; nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Already aborted.
            }
        }
    }

    private async Task RouteAsync(string path, HttpListenerRequest request, HttpListenerResponse response)
    {
        if (path == "/api/models")
        {
            await WriteJsonAsync(response, Search(request.QueryString));
            return;
        }

        if (path.StartsWith("/api/models/", StringComparison.Ordinal))
        {
            string rest = path["/api/models/".Length..];
            int tree = rest.IndexOf("/tree/", StringComparison.Ordinal);
            string repoId = tree >= 0 ? rest[..tree] : rest.Split("/revision/")[0];
            if (!_repos.TryGetValue(repoId, out LoopbackModelRepo? repo))
            {
                await NotFoundAsync(response, "Repository not found");
                return;
            }

            await WriteJsonAsync(response, tree >= 0 ? Tree(repo) : Describe(repo, full: true));
            return;
        }

        if (path.StartsWith("/files/", StringComparison.Ordinal) && _blobs.TryGetValue(path["/files/".Length..], out object? blob))
        {
            await ServeContentAsync(request, response, blob);
            return;
        }

        if (path.StartsWith("/cdn/", StringComparison.Ordinal) && _blobs.TryGetValue(path, out object? cdnBlob))
        {
            await ServeContentAsync(request, response, cdnBlob);
            return;
        }

        int resolve = path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (resolve > 0)
        {
            string repoId = path[1..resolve];
            string[] revAndFile = path[(resolve + "/resolve/".Length)..].Split('/', 2);
            if (_repos.TryGetValue(repoId, out LoopbackModelRepo? repo) && revAndFile.Length == 2 && repo.Files.TryGetValue(revAndFile[1], out object? content))
            {
                string sha = ShaOf(repoId + "/" + revAndFile[1], content);
                _blobs["/cdn/" + sha] = content;
                response.StatusCode = 302;
                response.RedirectLocation = new Uri(BaseUri, "cdn/" + sha).ToString();
                response.AddHeader("X-Repo-Commit", repo.Sha);
                response.AddHeader("X-Linked-Etag", $"\"{sha}\"");
                response.AddHeader("X-Linked-Size", Length(content).ToString(CultureInfo.InvariantCulture));
                response.AddHeader("ETag", $"\"{sha}\"");
                return;
            }

            response.AddHeader("X-Error-Code", "EntryNotFound");
            await NotFoundAsync(response, "Entry not found");
            return;
        }

        await NotFoundAsync(response, "Not found");
    }

    private List<object> Search(System.Collections.Specialized.NameValueCollection query)
    {
        IEnumerable<LoopbackModelRepo> repos = _repos.Values;
        if (query["search"] is { Length: > 0 } search)
        {
            repos = repos.Where(r => r.Id.Contains(search, StringComparison.OrdinalIgnoreCase));
        }

        if (query["author"] is { Length: > 0 } author)
        {
            repos = repos.Where(r => r.Author.Equals(author, StringComparison.OrdinalIgnoreCase));
        }

        foreach (string filter in query.GetValues("filter") ?? [])
        {
            repos = repos.Where(r => r.Tags.Contains(filter, StringComparer.OrdinalIgnoreCase) || r.PipelineTag == filter);
        }

        if (query["gated"] == "false")
        {
            repos = repos.Where(r => r.Gated is false);
        }

        Func<LoopbackModelRepo, IComparable> key = query["sort"] switch
        {
            "likes" => r => r.Likes,
            "lastModified" => r => r.LastModified,
            "createdAt" => r => r.CreatedAt,
            _ => r => r.Downloads,
        };
        repos = query["direction"] == "1" ? repos.OrderBy(key) : repos.OrderByDescending(key);
        int limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out int l) ? l : 1000;
        bool full = query["full"] == "true";
        return repos.Take(limit).Select(r => Describe(r, full)).ToList();
    }

    private static object Describe(LoopbackModelRepo repo, bool full)
    {
        var model = new Dictionary<string, object?>
        {
            ["_id"] = repo.Sha[..24],
            ["id"] = repo.Id,
            ["modelId"] = repo.Id,
            ["author"] = repo.Author,
            ["likes"] = repo.Likes,
            ["downloads"] = repo.Downloads,
            ["trendingScore"] = 0,
            ["private"] = false,
            ["gated"] = repo.Gated,
            ["tags"] = repo.Tags,
            ["pipeline_tag"] = repo.PipelineTag,
            ["library_name"] = "gguf",
            ["createdAt"] = repo.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
        if (full)
        {
            model["lastModified"] = repo.LastModified.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            model["sha"] = repo.Sha;
            model["siblings"] = repo.Files.Keys.Order(StringComparer.Ordinal).Select(f => new { rfilename = f }).ToList();
        }

        return model;
    }

    private List<object> Tree(LoopbackModelRepo repo)
    {
        var entries = new List<object>();
        foreach ((string path, object content) in repo.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            long size = Length(content);
            string oid = Convert.ToHexStringLower(SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(repo.Id + path)));
            entries.Add(path.EndsWith(".gguf", StringComparison.Ordinal)
                ? new { type = "file", oid, size, path, lfs = new { oid = ShaOf(repo.Id + "/" + path, content), size, pointerSize = 135 } }
                : new { type = "file", oid, size, path, lfs = (object?)null });
        }

        foreach (string dir in repo.Files.Keys.Where(k => k.Contains('/', StringComparison.Ordinal)).Select(k => k[..k.LastIndexOf('/')]).Distinct())
        {
            entries.Add(new { type = "directory", oid = "0000000000000000000000000000000000000000", size = 0, path = dir });
        }

        return entries;
    }

    private string ShaOf(string key, object content) => _shaCache.GetOrAdd(key, _ => Sha256Of(content));

    private static long Length(object content) => content is byte[] bytes ? bytes.Length : new FileInfo((string)content).Length;

    private async Task ServeContentAsync(HttpListenerRequest request, HttpListenerResponse response, object content)
    {
        long length = Length(content);
        string etag = $"\"{length:x}-{content.GetHashCode():x}\"";
        long from = 0;
        long to = length - 1;
        response.AddHeader("ETag", etag);
        response.AddHeader("Accept-Ranges", SupportRanges ? "bytes" : "none");
        bool unchanged = request.Headers["If-Range"] is not { } ifRange || ifRange == etag;
        if (SupportRanges && unchanged && ParseRange(request.Headers["Range"]) is { } range)
        {
            if (range.From >= length)
            {
                response.StatusCode = 416;
                response.AddHeader("Content-Range", $"bytes */{length}");
                return;
            }

            from = range.From;
            to = Math.Min(range.To ?? length - 1, length - 1);
            response.StatusCode = 206;
            response.AddHeader("Content-Range", $"bytes {from}-{to}/{length}");
        }

        response.ContentType = "application/octet-stream";
        response.ContentLength64 = to - from + 1;
        if (request.HttpMethod == "HEAD")
        {
            return;
        }

        long dropAfter = long.MaxValue;
        if (DropAfterBytes > 0 && Interlocked.Decrement(ref _dropsLeft) >= 0)
        {
            dropAfter = DropAfterBytes;
        }

        Stream source = content is byte[] bytes ? new MemoryStream(bytes, writable: false) : File.OpenRead((string)content);
        await using (source)
        {
            source.Position = from;
            byte[] buffer = new byte[WriteDelay > TimeSpan.Zero ? 64 << 10 : 1 << 20];
            long remaining = to - from + 1;
            long sent = 0;
            while (remaining > 0)
            {
                int n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, Math.Min(remaining, dropAfter - sent))));
                if (n == 0)
                {
                    break;
                }

                await response.OutputStream.WriteAsync(buffer.AsMemory(0, n));
                remaining -= n;
                sent += n;
                if (sent >= dropAfter)
                {
                    await response.OutputStream.FlushAsync();
                    response.Abort();
                    return;
                }

                if (WriteDelay > TimeSpan.Zero)
                {
                    await Task.Delay(WriteDelay);
                }
            }
        }
    }

    private static (long From, long? To)? ParseRange(string? header)
    {
        if (header is null || !header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        string[] parts = header["bytes=".Length..].Split('-');
        return long.TryParse(parts[0], CultureInfo.InvariantCulture, out long from)
            ? (from, long.TryParse(parts[1], CultureInfo.InvariantCulture, out long to) ? to : null)
            : null;
    }

    private static Task NotFoundAsync(HttpListenerResponse response, string message)
    {
        response.StatusCode = 404;
        return WriteJsonAsync(response, new { error = message });
    }

    private static async Task WriteJsonAsync(HttpListenerResponse response, object body)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(body);
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength64 = json.Length;
        await response.OutputStream.WriteAsync(json);
    }
}
